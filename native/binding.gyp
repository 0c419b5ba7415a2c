# ergo-native: links OpenBLAS, which carries LAPACK (dsyevd) too. The Debian openblas-pthread
# directories are named so that the build works even before Debian's alternatives point
# libopenblas.so there; elsewhere -lopenblas is found on the default paths.
{
  "targets": [
    {
      "target_name": "ergo_native",
      "sources": ["ergo_native.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-std=c11", "-Wall", "-Wextra"],
      "libraries": [
        "-L/usr/lib/x86_64-linux-gnu/openblas-pthread",
        "-L/usr/lib/aarch64-linux-gnu/openblas-pthread",
        "-Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-pthread",
        "-Wl,-rpath,/usr/lib/aarch64-linux-gnu/openblas-pthread",
        "-lopenblas"
      ]
    }
  ]
}
