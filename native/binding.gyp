{
  "targets": [
    {
      "target_name": "ergo_native",
      "sources": ["ergo_native.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-std=c11", "-Wall", "-Wextra"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
      "libraries": [
        "-L/usr/lib/x86_64-linux-gnu/openblas-pthread",
        "-Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-pthread",
        "-lopenblas"
      ]
    }
  ]
}
