// ergo-native: the two dense kernels of layer spectra on the system's BLAS/LAPACK.
//
// Contract (the TypeScript side, src/linalg/native.ts, checks shapes and finiteness first):
//   gram(a: Float64Array, n, m) -> Float64Array(n * n)
//     X = A A^T for row-major A (n x m), both triangles filled.
//     BLAS dsyrk (symmetric rank-k update). Row-major A (n x m) is column-major A^T (m x n),
//     so X = (A^T)^T (A^T): dsyrk with uplo 'U', trans 'T', k = m, lda = m; the column-major
//     upper triangle of X is then copied to the lower one.
//   symmetricEigenvalues(a: Float64Array, n) -> Float64Array(n), ascending; a is not modified.
//     LAPACK dsyevd with jobz 'N' (what numpy.linalg.eigvalsh calls): Householder
//     tridiagonalisation (dsytrd) then dsterf. A symmetric matrix is its own transpose, so the
//     row-major input is passed as it is.
//   setThreads(k) / getThreads(): OpenBLAS's thread count (no-ops with another BLAS).
// Reference: LAPACK Users' Guide, 3rd ed. (Anderson et al., SIAM 1999), dsyrk / dsyevd.
//
// Plain node_api.h (no C++ wrapper): a handful of functions, N-API version 8.

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

// Fortran BLAS/LAPACK entry points (gfortran ABI: hidden string lengths appended).
extern void dsyrk_(const char *uplo, const char *trans, const int *n, const int *k, const double *alpha,
                   const double *a, const int *lda, const double *beta, double *c, const int *ldc,
                   size_t luplo, size_t ltrans);
extern void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
                    double *work, const int *lwork, int *iwork, const int *liwork, int *info,
                    size_t ljobz, size_t luplo);
// OpenBLAS only; weak so that the addon still links against another BLAS.
extern void openblas_set_num_threads(int) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));

#define CHECK(call)                                                              \
  do {                                                                           \
    if ((call) != napi_ok) {                                                     \
      napi_throw_error(env, "ERGO_NATIVE", "ergo-native: N-API call failed: " #call); \
      return NULL;                                                               \
    }                                                                            \
  } while (0)

static napi_value throw_range(napi_env env, const char *msg) {
  napi_throw_range_error(env, "ERGO_NATIVE_RANGE", msg);
  return NULL;
}

// A Float64Array argument: data pointer and length, or NULL after throwing.
static double *f64_arg(napi_env env, napi_value v, size_t *len) {
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) {
    napi_throw_type_error(env, "ERGO_NATIVE_TYPE", "ergo-native: expected a Float64Array");
    return NULL;
  }
  napi_typedarray_type type;
  void *data = NULL;
  napi_value ab;
  size_t off = 0;
  if (napi_get_typedarray_info(env, v, &type, len, &data, &ab, &off) != napi_ok || type != napi_float64_array) {
    napi_throw_type_error(env, "ERGO_NATIVE_TYPE", "ergo-native: expected a Float64Array");
    return NULL;
  }
  return (double *)data;
}

// A positive int32 dimension, or -1 after throwing.
static int dim_arg(napi_env env, napi_value v) {
  double d = 0;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 1 && d <= 2147483647.0) || d != (double)(int)d) {
    napi_throw_range_error(env, "ERGO_NATIVE_RANGE", "ergo-native: dimensions must be integers in [1, 2^31)");
    return -1;
  }
  return (int)d;
}

// New Float64Array of len entries; *data receives its storage.
static napi_value new_f64(napi_env env, size_t len, double **data) {
  napi_value ab, ta;
  void *p = NULL;
  if (napi_create_arraybuffer(env, len * sizeof(double), &p, &ab) != napi_ok) {
    napi_throw_error(env, "ERGO_NATIVE_ALLOC", "ergo-native: cannot allocate the result");
    return NULL;
  }
  if (napi_create_typedarray(env, napi_float64_array, len, ab, 0, &ta) != napi_ok) return NULL;
  *data = (double *)p;
  return ta;
}

// X = A A^T (n x n) or, transposed, X = A^T A (m x m), for row-major A (n x m), which is
// column-major A^T (m x n, lda = m): dsyrk 'T' gives (A^T)^T A^T = A A^T, dsyrk 'N' gives
// A^T (A^T)^T = A^T A, neither copying A.
static napi_value gram_impl(napi_env env, napi_callback_info info, int transposed) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) return throw_range(env, transposed ? "ergo-native gramT: expected (a, n, m)" : "ergo-native gram: expected (a, n, m)");
  size_t len = 0;
  const double *a = f64_arg(env, argv[0], &len);
  if (!a) return NULL;
  int n = dim_arg(env, argv[1]);
  if (n < 0) return NULL;
  int m = dim_arg(env, argv[2]);
  if (m < 0) return NULL;
  if ((uint64_t)n * (uint64_t)m != (uint64_t)len) return throw_range(env, transposed ? "ergo-native gramT: a.length != n * m" : "ergo-native gram: a.length != n * m");
  int order = transposed ? m : n, k = transposed ? n : m;
  double *x = NULL;
  napi_value out = new_f64(env, (size_t)order * (size_t)order, &x);
  if (!out) return NULL;
  const double one = 1.0, zero = 0.0;
  dsyrk_("U", transposed ? "N" : "T", &order, &k, &one, a, &m, &zero, x, &order, 1, 1);
  // Column-major upper (row <= col) holds X; fill the other triangle.
  for (size_t j = 0; j < (size_t)order; j++) {
    for (size_t i = 0; i < j; i++) x[j + i * (size_t)order] = x[i + j * (size_t)order];
  }
  return out;
}

static napi_value gram(napi_env env, napi_callback_info info) { return gram_impl(env, info, 0); }
static napi_value gram_t(napi_env env, napi_callback_info info) { return gram_impl(env, info, 1); }

static napi_value sym_eigenvalues(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return throw_range(env, "ergo-native symmetricEigenvalues: expected (a, n)");
  size_t len = 0;
  const double *a = f64_arg(env, argv[0], &len);
  if (!a) return NULL;
  int n = dim_arg(env, argv[1]);
  if (n < 0) return NULL;
  if ((uint64_t)n * (uint64_t)n != (uint64_t)len) return throw_range(env, "ergo-native symmetricEigenvalues: a.length != n * n");
  double *w = NULL;
  napi_value out = new_f64(env, (size_t)n, &w);
  if (!out) return NULL;
  double *work_a = malloc(len * sizeof(double));
  if (!work_a) {
    napi_throw_error(env, "ERGO_NATIVE_ALLOC", "ergo-native: cannot allocate the work matrix");
    return NULL;
  }
  memcpy(work_a, a, len * sizeof(double));
  int info_ = 0, lwork = -1, liwork = -1, iwq = 0;
  double wq = 0;
  dsyevd_("N", "L", &n, work_a, &n, w, &wq, &lwork, &iwq, &liwork, &info_, 1, 1);
  if (info_ == 0) {
    lwork = (int)wq;
    liwork = iwq > 1 ? iwq : 1;
    if (lwork < 2 * n + 1) lwork = 2 * n + 1;
    double *work = malloc((size_t)lwork * sizeof(double));
    int *iwork = malloc((size_t)liwork * sizeof(int));
    if (!work || !iwork) {
      free(work); free(iwork); free(work_a);
      napi_throw_error(env, "ERGO_NATIVE_ALLOC", "ergo-native: cannot allocate LAPACK workspace");
      return NULL;
    }
    dsyevd_("N", "L", &n, work_a, &n, w, work, &lwork, iwork, &liwork, &info_, 1, 1);
    free(work);
    free(iwork);
  }
  free(work_a);
  if (info_ != 0) {
    char msg[96];
    snprintf(msg, sizeof msg, "ergo-native: LAPACK dsyevd failed (info = %d)", info_);
    napi_throw_error(env, "ERGO_NATIVE_LAPACK", msg);
    return NULL;
  }
  return out;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int k = argc >= 1 ? dim_arg(env, argv[0]) : -1;
  if (k < 0) return NULL;
  if (openblas_set_num_threads) openblas_set_num_threads(k);
  return NULL;
}

static napi_value get_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(napi_create_int32(env, openblas_get_num_threads ? openblas_get_num_threads() : 1, &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"gram", NULL, gram, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gramT", NULL, gram_t, NULL, NULL, NULL, napi_enumerable, NULL},
    {"symmetricEigenvalues", NULL, sym_eigenvalues, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_enumerable, NULL},
    {"getThreads", NULL, get_threads, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  napi_value lib;
  CHECK(napi_create_string_utf8(env, openblas_get_num_threads ? "OpenBLAS" : "BLAS/LAPACK", NAPI_AUTO_LENGTH, &lib));
  CHECK(napi_set_named_property(env, exports, "library", lib));
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
