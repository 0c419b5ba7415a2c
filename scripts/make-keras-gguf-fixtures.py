#!/usr/bin/python3
"""Write the Keras and GGUF test fixtures under test/fixtures/weights/ (seeded, deterministic).

Run with Debian's python3 (python3-h5py, python3-numpy):  /usr/bin/python3 scripts/make-keras-gguf-fixtures.py

Neither TensorFlow/Keras nor llama.cpp is needed: the Keras layouts are written with h5py exactly
as Keras lays them out, and GGUF files are written byte by byte from the format description.
Every fixture has a twin `<name>.expected.safetensors` holding the same layer matrices A (N x M,
output units first, float64, in network order) as ergo must read them: for GGUF the values are
dequantised here from the block layout, independently of the TypeScript reader.

Keras 2 .h5 (keras2-model.h5): groups model_weights/<layer>/<layer>/<var>:0, attributes
layer_names (network order, deliberately not alphabetical) and weight_names, model_config JSON,
an optimizer_weights group with Adam moments (rank 2: must be ignored), a layer without weights.
keras2-weights.h5: the same weights as a save_weights file (attributes at the root, no config).
Keras 3 (keras3-model.keras): zip with config.json, metadata.json and model.weights.h5 holding
layers/<name>/vars/<i> (an LSTM's cell under layers/<name>/cell/vars/<i>) and optimizer/vars/<i>.
GGUF (gguf-<type>.gguf): version 3, a few metadata entries (one string array), tensors of that
type with dims listed innermost first, data aligned to 32 bytes.
"""
import io
import json
import os
import struct
import zipfile

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'weights')
rng = np.random.default_rng(20261201)


def write_safetensors(path, tensors):
    """tensors: list of (name, float64 array) in order; header keys written in that order."""
    header, blobs, off = {}, [], 0
    for name, a in tensors:
        b = np.ascontiguousarray(a, dtype='<f8').tobytes()
        header[name] = {'dtype': 'F64', 'shape': list(a.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


# ---------------------------------------------------------------- Keras layers and their matrices A

def f32(shape, scale=0.5):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def tf_out_last(w):
    """TF kernel [..., in, out] -> A (out, prod(rest)) with the remaining axes in stored order."""
    return np.moveaxis(w.astype(np.float64), -1, 0).reshape(w.shape[-1], -1)


def tf_depthwise(w):
    """TF depthwise [kh, kw, C, mult] -> A (C*mult, kh*kw)."""
    kh, kw, c, m = w.shape
    return w.astype(np.float64).reshape(kh * kw, c * m).T.copy()


# network order (not alphabetical): conv_b, dw_a, flatten (no weights), dense_c, aux_dense
conv = f32((3, 3, 2, 4))
dw = f32((3, 3, 4, 2))
dense = f32((32, 6))
aux = f32((6, 5))
biases = {'conv_b': f32((4,)), 'dw_a': f32((8,)), 'dense_c': f32((6,)), 'aux_dense': f32((5,))}
K2_LAYERS = [
    ('conv_b', 'Conv2D', [('kernel:0', conv), ('bias:0', biases['conv_b'])]),
    ('dw_a', 'DepthwiseConv2D', [('depthwise_kernel:0', dw), ('bias:0', biases['dw_a'])]),
    ('flatten', 'Flatten', []),
    ('dense_c', 'Dense', [('kernel:0', dense), ('bias:0', biases['dense_c'])]),
    ('aux_dense', 'Dense', [('kernel:0', aux), ('bias:0', biases['aux_dense'])]),
]
K2_EXPECTED = [('conv_b', tf_out_last(conv)), ('dw_a', tf_depthwise(dw)), ('dense_c', tf_out_last(dense)), ('aux_dense', tf_out_last(aux))]


def keras_config(layers, keras3=False):
    entries = []
    for name, cls, _ in layers:
        e = {'class_name': cls, 'config': {'name': name, 'trainable': True}}
        if keras3:
            e['module'] = 'keras.layers'
        entries.append(e)
    if keras3:
        entries.insert(0, {'class_name': 'InputLayer', 'config': {'name': 'input_layer', 'batch_shape': [None, 8, 8, 2]}})
    return {'class_name': 'Sequential', 'config': {'name': 'sequential', 'layers': entries}}


def write_keras2(path, weights_only):
    with h5py.File(path, 'w') as f:
        if weights_only:
            g = f
        else:
            f.attrs['keras_version'] = b'2.15.0'
            f.attrs['backend'] = b'tensorflow'
            f.attrs['model_config'] = json.dumps(keras_config(K2_LAYERS)).encode()
            g = f.create_group('model_weights')
            # optimizer state: Adam moments of every kernel, never a layer
            o = f.create_group('optimizer_weights')
            ow = []
            for name, _, ws in K2_LAYERS:
                for wn, w in ws:
                    for moment in ('m', 'v'):
                        key = f'Adam/{name}/{wn.split(":")[0]}/{moment}:0'
                        o.create_dataset(key, data=np.abs(w) * 0.01)
                        ow.append(key.encode())
            o.attrs['weight_names'] = np.array(ow)
        g.attrs['layer_names'] = np.array([n.encode() for n, _, _ in K2_LAYERS])
        for name, _, ws in K2_LAYERS:
            lg = g.create_group(name)
            lg.attrs['weight_names'] = np.array([f'{name}/{wn}'.encode() for wn, _ in ws], dtype='S')
            for wn, w in ws:
                lg.create_dataset(f'{name}/{wn}', data=w)


# Keras 3: dense_in, lstm (cell: kernel [in, 4u], recurrent [u, 4u], bias), sep (SeparableConv1D),
# emb-less; layer names chosen so that h5 (alphabetical) order differs from config order.
k3_dense = f32((10, 12))
k3_kernel = f32((12, 16))
k3_rec = f32((4, 16))
k3_sep_dw = f32((3, 4, 1))  # SeparableConv1D depthwise [k, C, mult]
k3_sep_pw = f32((1, 4, 7))  # pointwise [1, C*mult, out]
k3_out = f32((7, 3))
K3_LAYERS = [
    ('z_dense', 'Dense', [k3_dense, f32((12,))]),
    ('lstm', 'LSTM', None),
    ('b_sep', 'SeparableConv1D', [k3_sep_dw, k3_sep_pw, f32((7,))]),
    ('a_out', 'Dense', [k3_out, f32((3,))]),
]
K3_EXPECTED = [
    ('z_dense', tf_out_last(k3_dense)),
    ('lstm/kernel', tf_out_last(k3_kernel)),
    ('lstm/recurrent_kernel', tf_out_last(k3_rec)),
    ('b_sep/depthwise', k3_sep_dw.astype(np.float64).reshape(3, 4).T.copy()),
    ('b_sep/pointwise', tf_out_last(k3_sep_pw)),
    ('a_out', tf_out_last(k3_out)),
]


def write_keras3(path):
    buf = io.BytesIO()
    with h5py.File(buf, 'w') as f:
        lg = f.create_group('layers')
        for name, _, ws in K3_LAYERS:
            g = lg.create_group(name)
            if ws is None:
                g.create_group('vars')
                c = g.create_group('cell').create_group('vars')
                for i, w in enumerate([k3_kernel, k3_rec, f32((16,))]):
                    c.create_dataset(str(i), data=w)
            else:
                v = g.create_group('vars')
                for i, w in enumerate(ws):
                    v.create_dataset(str(i), data=w)
        ov = f.create_group('optimizer').create_group('vars')
        ov.create_dataset('0', data=np.array(10, dtype=np.int64))
        for i, w in enumerate([k3_dense, k3_kernel, k3_rec, k3_out]):
            ov.create_dataset(str(i + 1), data=np.abs(w) * 0.01)  # Adam moments, rank 2
    with zipfile.ZipFile(path, 'w', compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr('metadata.json', json.dumps({'keras_version': '3.6.0', 'date_saved': '2026-12-01@00:00:00'}))
        z.writestr('config.json', json.dumps(keras_config([(n, c, w) for n, c, w in K3_LAYERS], keras3=True)))
        z.writestr('model.weights.h5', buf.getvalue())


# ---------------------------------------------------------------- GGUF

GGML = {'F32': 0, 'F16': 1, 'Q4_0': 2, 'Q8_0': 8, 'Q4_K': 12, 'Q6_K': 14, 'BF16': 30}


def f16(x):
    return np.float16(x)


def gguf_tensor(type_name, rows, cols):
    """Random bytes of a (rows x cols) tensor of `type_name` and its dequantised float64 values."""
    n = rows * cols
    if type_name == 'F32':
        v = f32((rows, cols))
        return v.tobytes(), v.astype(np.float64)
    if type_name == 'F16':
        v = f32((rows, cols)).astype(np.float16)
        return v.tobytes(), v.astype(np.float64)
    if type_name == 'BF16':
        bits = (f32((rows, cols)).view(np.uint32) >> 16).astype(np.uint16)
        return bits.tobytes(), (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    out, vals = bytearray(), []
    if type_name == 'Q8_0':
        for _ in range(n // 32):
            d = f16(rng.uniform(0.001, 0.02))
            q = rng.integers(-128, 128, 32).astype(np.int8)
            out += d.tobytes() + q.tobytes()
            vals.append(np.float64(d) * q.astype(np.float64))
    elif type_name == 'Q4_0':
        for _ in range(n // 32):
            d = f16(rng.uniform(0.001, 0.02))
            q = rng.integers(0, 16, 32)
            packed = (q[:16] | (q[16:] << 4)).astype(np.uint8)
            out += d.tobytes() + packed.tobytes()
            vals.append(np.float64(d) * (q - 8).astype(np.float64))
    elif type_name == 'Q4_K':
        for _ in range(n // 256):
            d, dmin = f16(rng.uniform(0.0005, 0.005)), f16(rng.uniform(0.0005, 0.005))
            sc, mn = rng.integers(0, 64, 8), rng.integers(0, 64, 8)
            s = np.zeros(12, dtype=np.uint8)
            for j in range(4):  # 6-bit scales/mins of sub-blocks 0..3: low 6 bits of bytes 0..7
                s[j] = sc[j] | ((sc[j + 4] >> 4) << 6)
                s[j + 4] = mn[j] | ((mn[j + 4] >> 4) << 6)
                s[j + 8] = (sc[j + 4] & 15) | ((mn[j + 4] & 15) << 4)  # sub-blocks 4..7: low 4 bits here
            q = rng.integers(0, 16, 256)
            qs = bytearray()
            v = np.zeros(256)
            for c in range(4):  # 64 values per 32 bytes: sub-block 2c in low nibbles, 2c+1 in high
                lo, hi = q[64 * c:64 * c + 32], q[64 * c + 32:64 * c + 64]
                qs += (lo | (hi << 4)).astype(np.uint8).tobytes()
                for k, sub in ((0, 2 * c), (1, 2 * c + 1)):
                    part = q[64 * c + 32 * k:64 * c + 32 * k + 32].astype(np.float64)
                    v[64 * c + 32 * k:64 * c + 32 * k + 32] = np.float64(d) * sc[sub] * part - np.float64(dmin) * mn[sub]
            out += d.tobytes() + dmin.tobytes() + s.tobytes() + bytes(qs)
            vals.append(v)
    elif type_name == 'Q6_K':
        for _ in range(n // 256):
            d = f16(rng.uniform(0.0005, 0.005))
            sc = rng.integers(-128, 128, 16).astype(np.int8)
            q = rng.integers(0, 64, 256)  # stored 6-bit values; the weight is d * scale * (q - 32)
            ql = np.zeros(128, dtype=np.uint8)
            qh = np.zeros(64, dtype=np.uint8)
            v = np.zeros(256)
            for h in range(2):  # two halves of 128 values
                for l in range(32):
                    q1, q2, q3, q4 = (q[128 * h + l + 32 * k] for k in range(4))
                    ql[64 * h + l] = (q1 & 15) | ((q3 & 15) << 4)
                    ql[64 * h + l + 32] = (q2 & 15) | ((q4 & 15) << 4)
                    qh[32 * h + l] = (q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6)
                    for k in range(4):
                        v[128 * h + l + 32 * k] = np.float64(d) * int(sc[8 * h + l // 16 + 2 * k]) * (int(q[128 * h + l + 32 * k]) - 32)
            out += ql.tobytes() + qh.tobytes() + sc.tobytes() + d.tobytes()
            vals.append(v)
    return bytes(out), np.concatenate(vals).reshape(rows, cols)


def gguf_str(s):
    b = s.encode()
    return struct.pack('<Q', len(b)) + b


def write_gguf(path, type_name, shapes):
    """shapes: list of (name, rows, cols) in file order; dims are written [cols, rows] (innermost first)."""
    kv = [
        gguf_str('general.architecture') + struct.pack('<I', 8) + gguf_str('llama'),
        gguf_str('general.alignment') + struct.pack('<II', 4, 32),
        gguf_str('tokenizer.ggml.tokens') + struct.pack('<IIQ', 9, 8, 3) + gguf_str('a') + gguf_str('bc') + gguf_str('<s>'),
    ]
    infos, datas, expected, off = [], [], [], 0
    norm = f32((256,))
    entries = [('blk.0.attn_norm.weight', 'F32', None)] + [(n, type_name, (r, c)) for n, r, c in shapes]
    for name, tn, rc in entries:
        if rc is None:
            raw, dims = norm.tobytes(), [256]
        else:
            raw, vals = gguf_tensor(tn, *rc)
            dims = [rc[1], rc[0]]
            expected.append((name, vals))
        infos.append(gguf_str(name) + struct.pack('<I', len(dims)) + b''.join(struct.pack('<Q', d) for d in dims)
                     + struct.pack('<IQ', GGML[tn], off))
        pad = (-len(raw)) % 32
        datas.append(raw + b'\0' * pad)
        off += len(raw) + pad
    head = b'GGUF' + struct.pack('<IQQ', 3, len(entries), len(kv)) + b''.join(kv) + b''.join(infos)
    head += b'\0' * ((-len(head)) % 32)
    with open(path, 'wb') as f:
        f.write(head + b''.join(datas))
    return expected


def main():
    os.makedirs(OUT, exist_ok=True)
    write_keras2(os.path.join(OUT, 'keras2-model.h5'), weights_only=False)
    write_keras2(os.path.join(OUT, 'keras2-weights.h5'), weights_only=True)
    write_safetensors(os.path.join(OUT, 'keras2-model.expected.safetensors'), K2_EXPECTED)
    write_keras3(os.path.join(OUT, 'keras3-model.keras'))
    write_safetensors(os.path.join(OUT, 'keras3-model.expected.safetensors'), K3_EXPECTED)
    shapes = [('blk.0.attn_q.weight', 6, 256), ('blk.0.ffn_up.weight', 12, 256), ('blk.0.ffn_down.weight', 4, 512)]
    for t in ['F32', 'F16', 'BF16', 'Q8_0', 'Q4_0', 'Q4_K', 'Q6_K']:
        exp = write_gguf(os.path.join(OUT, f'gguf-{t.lower()}.gguf'), t, shapes)
        write_safetensors(os.path.join(OUT, f'gguf-{t.lower()}.expected.safetensors'), exp)


if __name__ == '__main__':
    main()
