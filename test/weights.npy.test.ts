import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bristolFixtures } from './helpers/cli.js';
import { testNeeding, numpyMissing, pythonEnv } from './helpers/resources.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readNpy, readNpyFile, readNpz, readNpzBuffer, sortNpzMembers, crc32, crc32Table, NpyFormatError,
} from '../src/weights/npy.js';
import { encodeNpy, encodeNpz, writeNpy, writeNpz } from '../src/pipeline/report/npy.js';

const FIX = bristolFixtures + '/';

// python3 with numpy is an optional test oracle; without it those tests skip with a message.
const NO_NUMPY = numpyMissing();

function tmp(): string { return mkdtempSync(join(tmpdir(), 'ergo-npy-')); }

test('vendored fixture .npy: complex128 with a negative-zero imaginary part', () => {
  const a = readNpyFile(join(FIX, 'inputs/a_edges.npy'));
  assert.equal(a.dtype, '<c16');
  assert.deepEqual(a.shape, [12]);
  assert.ok(a.imag);
  // The fixture's README/notes: z[0] = -1 - 0j with the sign bit set.
  assert.ok(Object.is(a.imag![0], -0));
  assert.equal(a.data[0], -1);
  // angles listed in the case's `intermediate` are numpy's np.angle of these values
  const c = JSON.parse(readFileSync(join(FIX, 'a_sd_complex_edges_d0.2.json'), 'utf8'));
  const angles: number[] = c.intermediate.angles.data;
  assert.equal(angles.length, 12);
  // V8's atan2 (fdlibm) and numpy's (libm) may differ in the last bit, so allow 2 ulp here;
  // the branch-cut values must be exact: atan2(-0, -1) = -pi and atan2(+0, -1) = +pi.
  for (let k = 0; k < 12; k++) {
    const got = Math.atan2(a.imag![k]!, a.data[k]!);
    assert.ok(Math.abs(got - angles[k]!) <= 2 * Number.EPSILON * Math.abs(angles[k]!), `angle ${k}: ${got} vs ${angles[k]}`);
  }
  assert.equal(Math.atan2(a.imag![0]!, a.data[0]!), -Math.PI);
  assert.equal(angles[0], -Math.PI);
  assert.equal(angles[1], Math.PI);
  assert.equal(Math.atan2(a.imag![1]!, a.data[1]!), Math.PI);
});

test('vendored fixture .npz: members arr_0.. in archive order, shapes as the case lists', async () => {
  const m = await readNpz(join(FIX, 'inputs/f_eigs_wwt_mixed8_lapack_order.npz'));
  const c = JSON.parse(readFileSync(join(FIX, 'f_cpse_from_eigs_wwt_mixed8_lapack_order.json'), 'utf8'));
  const shapes: number[][] = c.args[0].value.shapes;
  assert.equal(m.length, shapes.length);
  const sorted = sortNpzMembers(m);
  sorted.forEach((x, k) => { assert.equal(x.name, `arr_${k}`); assert.deepEqual(x.array.shape, shapes[k]); });
});

test('round trip encodeNpy -> readNpy for <f8 and <c16, all ranks incl. scalar and empty', () => {
  const cases: number[][] = [[], [0], [5], [2, 3], [2, 3, 4], [1, 0, 3]];
  for (const shape of cases) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Float64Array.from({ length: n }, (_, k) => (k - 2.5) * Math.PI);
    const imag = Float64Array.from({ length: n }, (_, k) => -k / 7);
    const r = readNpy(encodeNpy({ dtype: '<f8', shape, data }));
    assert.deepEqual(r.shape, shape);
    assert.deepEqual(Array.from(r.data), Array.from(data));
    const z = readNpy(encodeNpy({ dtype: '<c16', shape, data, imag }));
    assert.deepEqual(Array.from(z.imag!), Array.from(imag));
    assert.deepEqual(Array.from(z.data), Array.from(data));
  }
  // header block is a multiple of 64 bytes and ends with a newline (numpy's layout)
  const b = encodeNpy({ dtype: '<f8', shape: [3], data: [1, 2, 3] });
  const hl = b[8]! | (b[9]! << 8);
  assert.equal((10 + hl) % 64, 0);
  assert.equal(b[10 + hl - 1], 0x0a);
});

test('npz round trip with sortNpzMembers ordering arr_10 after arr_2', () => {
  const mk = (v: number) => ({ dtype: '<f8' as const, shape: [1], data: [v] });
  const buf = encodeNpz([{ name: 'arr_10', array: mk(10) }, { name: 'arr_2', array: mk(2) }, { name: 'w', array: mk(-1) }, { name: 'arr_0', array: mk(0) }]);
  const m = readNpzBuffer(buf, 'x.npz');
  assert.deepEqual(m.map((x) => x.name), ['arr_10', 'arr_2', 'w', 'arr_0']);
  assert.deepEqual(sortNpzMembers(m).map((x) => x.name), ['arr_0', 'arr_2', 'arr_10', 'w']);
  assert.deepEqual(sortNpzMembers(m).map((x) => x.array.data[0]), [0, 2, 10, -1]);
});

test('crc32 of "123456789" is the standard check value 0xCBF43926', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  // the table route (older Node) and zlib's agree, also on lengths around the table's unit
  assert.equal(crc32Table(new TextEncoder().encode('123456789')), 0xcbf43926);
  for (const n of [0, 1, 7, 8, 9, 255, 4096, 100_003]) {
    const b = new Uint8Array(n).map((_, i) => (i * 2654435761) >>> 24);
    assert.equal(crc32(b), crc32Table(b), `length ${n}`);
  }
});

test('clear errors naming the file: bad magic, bad header length, truncated data, unsupported dtype', () => {
  const good = encodeNpy({ dtype: '<f8', shape: [4], data: [1, 2, 3, 4] });
  const badMagic = good.slice(); badMagic[1] = 0;
  assert.throws(() => readNpy(badMagic, 'm.npy'), (e: Error) => e instanceof NpyFormatError && /m\.npy.*magic/.test(e.message));
  const badLen = good.slice(); badLen[8] = 0xff; badLen[9] = 0xff;
  assert.throws(() => readNpy(badLen, 'h.npy'), /h\.npy.*header length/);
  assert.throws(() => readNpy(good.subarray(0, good.length - 1), 't.npy'), /t\.npy.*truncated data/);
  const txt = new TextDecoder('latin1').decode(good).replace("'<f8'", "'<U1'");
  const bad = Uint8Array.from(txt, (ch) => ch.charCodeAt(0));
  assert.throws(() => readNpy(bad, 'u.npy'), /u\.npy.*unsupported dtype '<U1'/);
  const v9 = good.slice(); v9[6] = 9;
  assert.throws(() => readNpy(v9, 'v.npy'), /v\.npy.*version 9/);
  assert.throws(() => readNpzBuffer(good, 'z.npz'), /z\.npz.*not a ZIP/);
});

// Hand-built ZIP64 archive (EOCD fields saturated, ZIP64 EOCD record + locator, sizes and offset
// in the 0x0001 extra field), following APPNOTE 4.3.14-4.3.16 and 4.5.3.
test('ZIP64 archive with a stored member is read', () => {
  const body = encodeNpy({ dtype: '<f8', shape: [2], data: [1.5, -2] });
  const name = new TextEncoder().encode('arr_0.npy');
  const crc = crc32(body);
  const lh = new Uint8Array(30 + name.length); const lv = new DataView(lh.buffer);
  lv.setUint32(0, 0x04034b50, true); lv.setUint16(4, 45, true); lv.setUint32(14, crc, true);
  lv.setUint32(18, body.length, true); lv.setUint32(22, body.length, true); lv.setUint16(26, name.length, true); lh.set(name, 30);
  const cdOff = lh.length + body.length;
  const ch = new Uint8Array(46 + name.length + 28); const cv = new DataView(ch.buffer);
  cv.setUint32(0, 0x02014b50, true); cv.setUint16(4, 45, true); cv.setUint16(6, 45, true); cv.setUint32(16, crc, true);
  cv.setUint32(20, 0xffffffff, true); cv.setUint32(24, 0xffffffff, true); cv.setUint16(28, name.length, true); cv.setUint16(30, 28, true);
  cv.setUint32(42, 0xffffffff, true); ch.set(name, 46);
  const x = 46 + name.length;
  cv.setUint16(x, 1, true); cv.setUint16(x + 2, 24, true);
  cv.setBigUint64(x + 4, BigInt(body.length), true); cv.setBigUint64(x + 12, BigInt(body.length), true); cv.setBigUint64(x + 20, 0n, true);
  const z64 = new Uint8Array(56); const zv = new DataView(z64.buffer);
  zv.setUint32(0, 0x06064b50, true); zv.setBigUint64(4, 44n, true); zv.setBigUint64(24, 1n, true); zv.setBigUint64(32, 1n, true);
  zv.setBigUint64(40, BigInt(ch.length), true); zv.setBigUint64(48, BigInt(cdOff), true);
  const loc = new Uint8Array(20); const locv = new DataView(loc.buffer);
  locv.setUint32(0, 0x07064b50, true); locv.setBigUint64(8, BigInt(cdOff + ch.length), true); locv.setUint32(16, 1, true);
  const end = new Uint8Array(22); const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true); ev.setUint16(8, 0xffff, true); ev.setUint16(10, 0xffff, true); ev.setUint32(12, 0xffffffff, true); ev.setUint32(16, 0xffffffff, true);
  const all = new Uint8Array(cdOff + ch.length + 56 + 20 + 22);
  let o = 0;
  for (const p of [lh, body, ch, z64, loc, end]) { all.set(p, o); o += p.length; }
  const m = readNpzBuffer(all, 'z64.npz');
  assert.equal(m.length, 1);
  assert.equal(m[0]!.name, 'arr_0');
  assert.deepEqual(Array.from(m[0]!.array.data), [1.5, -2]);
});

testNeeding(NO_NUMPY, 'numpy-written files: every dtype, both byte orders, Fortran order, format 2.0/3.0, deflated npz', {}, async () => {
  const dir = tmp();
  try {
    // numpy writes the files and a JSON of the expected C-order values (float64 via astype).
    const py = `
import numpy as np, json, os, sys, zipfile
d = sys.argv[1]
exp = {}
base = np.array([[0, 1, 2], [3, 4, 5]])
specs = ['f8','f4','f2','c16','c8','i8','i4','i2','i1','u8','u4','u2','u1','b1']
for s in specs:
    for bo in ('<', '>'):
        dt = np.dtype(bo + s) if s not in ('i1','u1','b1') else np.dtype(s)
        if s.startswith('c'):
            a = (base * 1.25 - 2).astype(dt) + 1j * (base * -0.5 + 0.75).astype(dt)
        elif s.startswith('u') or s == 'b1':
            a = (base * 3 % 4).astype(dt)
        elif s.startswith('i'):
            a = (base * 5 - 13).astype(dt)
        else:
            a = (base * 1.25 - 2.1).astype(dt)
        a = a.astype(dt)
        for order in ('C', 'F'):
            arr = np.asarray(np.reshape(np.arange(24), (2,3,4)) % 7, dtype=dt) if order == 'F' and s == 'f8' else a
            arr = np.asfortranarray(arr) if order == 'F' else np.ascontiguousarray(arr)
            name = f'{s}_{"le" if bo == "<" else "be"}_{order}.npy'
            np.save(os.path.join(d, name), arr)
            flat = arr.ravel(order='C')
            e = {'shape': list(arr.shape), 'descr': np.lib.format.dtype_to_descr(arr.dtype), 'fortran': bool(arr.flags.f_contiguous and not arr.flags.c_contiguous)}
            if np.iscomplexobj(flat):
                e['re'] = flat.real.astype(np.float64).tolist(); e['im'] = flat.imag.astype(np.float64).tolist()
            else:
                e['re'] = flat.astype(np.float64).tolist()
            exp[name] = e
# format versions 2.0 and 3.0 explicitly
v = np.linspace(-1, 1, 7)
for ver in ((2, 0), (3, 0)):
    name = f'v{ver[0]}.npy'
    with open(os.path.join(d, name), 'wb') as f:
        np.lib.format.write_array(f, v, version=ver)
    exp[name] = {'shape': [7], 'descr': '<f8', 'fortran': False, 're': v.tolist()}
np.savez_compressed(os.path.join(d, 'comp.npz'), np.arange(5.0), np.eye(3), weights=np.ones((2, 2)))
exp_order = [n[:-4] for n in zipfile.ZipFile(os.path.join(d, 'comp.npz')).namelist()]
json.dump({'order': exp_order}, open(os.path.join(d, 'order.json'), 'w'))
json.dump(exp, open(os.path.join(d, 'expected.json'), 'w'))
`;
    execFileSync('python3', ['-c', py, dir], { env: pythonEnv });
    const exp = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, { shape: number[]; descr: string; fortran: boolean; re: number[]; im?: number[] }>;
    let nFortran = 0;
    for (const [name, e] of Object.entries(exp)) {
      const a = readNpyFile(join(dir, name));
      assert.deepEqual(a.shape, e.shape, name);
      assert.equal(a.dtype, e.descr, name);
      assert.deepEqual(Array.from(a.data), e.re, name);
      if (e.im) assert.deepEqual(Array.from(a.imag!), e.im, name);
      if (e.fortran) { nFortran++; assert.equal(a.fortranOrder, true, name); }
    }
    assert.ok(nFortran >= 14, 'Fortran-order files were produced and read');
    const m = await readNpz(join(dir, 'comp.npz'));
    // archive order as Python's zipfile lists it (numpy.savez happens to put keyword members first)
    assert.deepEqual(m.map((x) => x.name), JSON.parse(readFileSync(join(dir, 'order.json'), 'utf8')).order);
    const s = sortNpzMembers(m);
    assert.deepEqual(s.map((x) => x.name), ['arr_0', 'arr_1', 'weights']);
    assert.deepEqual(Array.from(s[1]!.array.data), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
    assert.deepEqual(s[2]!.array.shape, [2, 2]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

testNeeding(NO_NUMPY, 'numpy.load reads what writeNpy / writeNpz write', {}, async () => {
  const dir = tmp();
  try {
    const data = [0.1, -2, 3e-300, 1e300, -0, 7];
    await writeNpy(join(dir, 'r.npy'), { dtype: '<f8', shape: [2, 3], data });
    await writeNpy(join(dir, 'c.npy'), { dtype: '<c16', shape: [3, 2], data, imag: data.map((v) => -v) });
    await writeNpz(join(dir, 'z.npz'), [{ name: 'arr_0', array: { dtype: '<f8', shape: [6], data } }, { name: 'b', array: { dtype: '<c16', shape: [1], data: [1], imag: [2] } }]);
    const py = `
import numpy as np, json, sys, os
d = sys.argv[1]
r = np.load(os.path.join(d, 'r.npy')); c = np.load(os.path.join(d, 'c.npy')); z = np.load(os.path.join(d, 'z.npz'))
print(json.dumps({'r': r.tolist(), 'rdt': str(r.dtype), 'c_re': c.real.tolist(), 'c_im': c.imag.tolist(), 'cdt': str(c.dtype),
  'keys': list(z.keys()), 'z0': z['arr_0'].tolist(), 'b': [z['b'].real.tolist(), z['b'].imag.tolist()]}))
`;
    const out = JSON.parse(execFileSync('python3', ['-c', py, dir], { encoding: 'utf8', env: pythonEnv }));
    assert.equal(out.rdt, 'float64');
    assert.equal(out.cdt, 'complex128');
    assert.deepEqual(out.r, [[0.1, -2, 3e-300], [1e300, -0, 7]]);
    assert.deepEqual(out.c_re, [[0.1, -2], [3e-300, 1e300], [-0, 7]]);
    assert.deepEqual(out.c_im, [[-0.1, 2], [-3e-300, -1e300], [0, -7]]);
    assert.deepEqual(out.keys, ['arr_0', 'b']);
    assert.deepEqual(out.z0, data);
    assert.deepEqual(out.b, [[1], [2]]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('readNpyFile error names the path', () => {
  const dir = tmp();
  try {
    const p = join(dir, 'broken.npy');
    writeFileSync(p, Buffer.from('hello world'));
    assert.throws(() => readNpyFile(p), (e: Error) => e.message.includes(p));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
