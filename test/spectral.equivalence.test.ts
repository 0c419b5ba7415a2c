import { test } from 'node:test';
import assert from 'node:assert/strict';
import { equivalenceTable, type EquivalenceEntry } from '../src/spectral/equivalence.js';

// Values are chosen as dyadic fractions so every |difference| below is exact in float64.

test('chain a~b~c with a !~ c: one class by single linkage, the (a, c) pair flagged', () => {
  const entries: EquivalenceEntry[] = [
    { name: 'a', varCsd: 0.125, conjugate: true },
    { name: 'b', varCsd: 0.25, conjugate: true },
    { name: 'c', varCsd: 0.375, conjugate: true },
  ];
  const t = equivalenceTable(entries, 0.125);
  assert.deepEqual(t.names, ['a', 'b', 'c']);
  assert.deepEqual(t.diff, [
    [0, 0.125, 0.25],
    [0.125, 0, 0.125],
    [0.25, 0.125, 0],
  ]);
  // |diff| <= delta is inclusive: 0.125 <= 0.125.
  assert.deepEqual(t.equivalent, [
    [true, true, false],
    [true, true, true],
    [false, true, true],
  ]);
  assert.deepEqual(t.classes, [['a', 'b', 'c']]);
  assert.deepEqual(t.classOf, [0, 0, 0]);
  assert.deepEqual(t.flags, [{ a: 'a', b: 'c', diff: 0.25, classIndex: 0 }]);
});

test('two separate groups, no flags when every pair inside a class is within delta', () => {
  const entries: EquivalenceEntry[] = [
    { name: 'vgg11', varCsd: 0.125, conjugate: true },
    { name: 'resnet18', varCsd: 1.5, conjugate: true },
    { name: 'vgg16', varCsd: 0.1875, conjugate: true },
    { name: 'resnet34', varCsd: 1.625, conjugate: true },
  ];
  const t = equivalenceTable(entries, 0.25);
  assert.deepEqual(t.classes, [
    ['vgg11', 'vgg16'],
    ['resnet18', 'resnet34'],
  ]);
  assert.deepEqual(t.classOf, [0, 1, 0, 1]);
  assert.deepEqual(t.flags, []);
  assert.equal(t.equivalent[0]![1], false);
});

test('non-conjugate networks are singletons, even with identical Var(CSD)', () => {
  const entries: EquivalenceEntry[] = [
    { name: 'x', varCsd: 0.5, conjugate: true },
    { name: 'y', varCsd: 0.5, conjugate: false },
    { name: 'z', varCsd: 0.5, conjugate: true },
  ];
  const t = equivalenceTable(entries, 1);
  assert.deepEqual(t.classes, [['x', 'z'], ['y']]);
  assert.equal(t.equivalent[1]![1], false, 'a non-conjugate network is not even equivalent to itself');
  assert.equal(t.equivalent[0]![0], true);
  assert.deepEqual(t.flags, []);
});

test('different circular ensembles never join; omitted ids share one reference', () => {
  const entries: EquivalenceEntry[] = [
    { name: 'p', varCsd: 0.25, conjugate: true, circularId: 'CUE-mixed' },
    { name: 'q', varCsd: 0.25, conjugate: true, circularId: 'COE-mixed' },
    { name: 'r', varCsd: 0.25, conjugate: true },
    { name: 's', varCsd: 0.25, conjugate: true },
    { name: 't', varCsd: 0.25, conjugate: true, circularId: 'CUE-mixed' },
  ];
  const t = equivalenceTable(entries, 0);
  assert.deepEqual(t.classes, [['p', 't'], ['q'], ['r', 's']]);
  assert.equal(t.equivalent[0]![1], false);
  assert.equal(t.equivalent[2]![3], true, 'delta = 0 still accepts an exact tie');
});

test('a long chain: classes are components of the equivalent-pair graph, all far pairs flagged', () => {
  // Var = 0, 1, 2, 3 with delta = 1: consecutive pairs equivalent, 3 far pairs.
  const entries = [0, 1, 2, 3].map((v) => ({ name: `n${v}`, varCsd: v, conjugate: true }));
  const t = equivalenceTable(entries, 1);
  assert.deepEqual(t.classes, [['n0', 'n1', 'n2', 'n3']]);
  assert.deepEqual(
    t.flags.map((f) => [f.a, f.b, f.diff]),
    [
      ['n0', 'n2', 2],
      ['n0', 'n3', 3],
      ['n1', 'n3', 2],
    ],
  );
  // Removing the middle link splits the chain: n1 -> not conjugate.
  const broken = equivalenceTable(
    entries.map((e) => (e.name === 'n1' ? { ...e, conjugate: false } : e)),
    1,
  );
  assert.deepEqual(broken.classes, [['n0'], ['n1'], ['n2', 'n3']]);
});

test('input validation', () => {
  const ok = { name: 'a', varCsd: 1, conjugate: true };
  assert.throws(() => equivalenceTable([ok], -0.1), RangeError);
  assert.throws(() => equivalenceTable([ok], Number.NaN), RangeError);
  assert.throws(() => equivalenceTable([ok, { ...ok }], 0.1), /duplicate/);
  assert.throws(() => equivalenceTable([{ ...ok, varCsd: Number.POSITIVE_INFINITY }], 0.1), /not finite/);
  const empty = equivalenceTable([], 0.1);
  assert.deepEqual(empty.classes, []);
});
