import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import { emptyModel } from '../../testing/model-factory.ts';
import { float, floats, tensorAttr } from '../builder.ts';
import type { Graph, Model } from '../ir.ts';
import { tensor } from '../tensor.ts';
import type { Tensor } from '../tensor.ts';
import { decodeModel, encodeModel } from './onnx-codec.ts';
import { ProtoWriter, WIRE_LEN, WIRE_VARINT } from './wire.ts';

/** A model touching every part of the IR the codec maps: all attribute kinds, many dtypes, symbolic dims, metadata. */
function richModel(): Model {
  const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: ['N', 3, null, 4] }], 17);
  model.opsetImports.push({ domain: 'com.microsoft', version: 1 });
  model.metadata = { author: 'xai-qc', 'unicode key é': 'värde' };
  model.docString = 'round trip';
  model.modelVersion = 3;
  model.producerVersion = '0.1.0';
  model.graph.docString = 'graph doc';
  const inits: Tensor[] = [
    tensor('float32', [2, 2], [1.5, -2.25, 3e-8, 65504]),
    tensor('float64', [3], [Math.PI, -0, 1e300]),
    tensor('int64', [2], BigInt64Array.of(-9223372036854775808n, 9223372036854775807n)),
    tensor('int32', [], [-7]),
    tensor('uint8', [4], [0, 1, 254, 255]),
    tensor('bool', [2], [1, 0]),
    tensor('float16', [2], Uint16Array.of(0x3c00, 0xc000)),
    tensor('uint64', [1], BigUint64Array.of(18446744073709551615n)),
    tensor('int8', [0, 3]),
    { dtype: 'string', dims: [2], data: ['a', 'ünïcode'] },
  ];
  inits.forEach((t, i) => b.constant(t, `init${i}`));
  const branch: Graph = {
    name: 'then',
    nodes: [{ name: 'inner', opType: 'Identity', domain: '', inputs: ['x'], outputs: ['then_y'], attributes: {} }],
    inputs: [],
    outputs: [{ name: 'then_y', dtype: 'float32' }],
    initializers: new Map([['k', tensor('float32', [1], [2])]]),
    valueInfo: [],
  };
  const y = b.op1('Relu', ['x']);
  b.op('Custom', [y, '', 'x'], {
    f: float(0.25),
    i: -3,
    s: 'text',
    t: tensorAttr(tensor('int64', [2], [-1, 4])),
    g: { type: 'graph', value: branch },
    fs: floats([0.5, -1.5]),
    is: [-1, 0, 2 ** 40],
    ss: ['p', 'q'],
    ts: { type: 'tensors', value: [tensor('float32', [1], [1]), tensor('int32', [2], [1, 2])] },
    gs: { type: 'graphs', value: [branch] },
    r: { type: 'ref', refAttrName: 'outer', attrType: 2 },
  }, { outputNames: ['c0', 'c1'], domain: 'com.microsoft' });
  model.graph.nodes[model.graph.nodes.length - 1].docString = 'custom node';
  model.graph.outputs = [{ name: y, dtype: 'float32', shape: ['N', 3, null, 4], docString: 'out' }, { name: 'c0' }];
  model.graph.valueInfo = [{ name: 'c1', dtype: 'int64', shape: [] }];
  return model;
}

describe('ONNX protobuf codec', () => {
  it('round-trips every IR field: bytes -> IR -> bytes -> IR is stable', () => {
    const model = richModel();
    const bytes = encodeModel(model);
    const back = decodeModel(bytes);
    expect(back).toEqual(model);
    const again = encodeModel(back);
    expect(again).toEqual(bytes);
    expect(decodeModel(again)).toEqual(back);
  });

  it('keeps unknown model fields and non-tensor value types byte for byte', () => {
    const model = richModel();
    model.extra = [{ field: 20, wireType: WIRE_LEN, bytes: Uint8Array.of(3, 1, 2, 3) }];
    const seqType = new ProtoWriter().tag(4, WIRE_LEN).message(new ProtoWriter().tag(1, WIRE_LEN).message(new ProtoWriter())).finish();
    model.graph.valueInfo.push({ name: 'seq', rawType: seqType });
    const back = decodeModel(encodeModel(model));
    expect(back.extra).toEqual(model.extra);
    expect(back.graph.valueInfo.at(-1)).toEqual({ name: 'seq', rawType: seqType });
  });

  it('reads what other writers emit: unpacked repeated ints and attributes without a type', () => {
    const attr = new ProtoWriter().tag(1, WIRE_LEN).string('axes');
    for (const v of [0, -1, 3]) attr.tag(8, WIRE_VARINT).int64(v);
    const untyped = new ProtoWriter().tag(1, WIRE_LEN).string('alpha').tag(2, 5).float32(0.5);
    const node = new ProtoWriter().tag(1, WIRE_LEN).string('x').tag(2, WIRE_LEN).string('y').tag(4, WIRE_LEN).string('Squeeze');
    node.tag(5, WIRE_LEN).message(attr).tag(5, WIRE_LEN).message(untyped);
    const dims = new ProtoWriter().tag(1, WIRE_VARINT).int64(2).tag(1, WIRE_VARINT).int64(1);
    const t = new ProtoWriter().tag(2, WIRE_VARINT).uvarint(7).tag(8, WIRE_LEN).string('w').tag(7, WIRE_VARINT).int64(-5).tag(7, WIRE_VARINT).int64(6).raw(dims.finish());
    const graph = new ProtoWriter().tag(1, WIRE_LEN).message(node).tag(5, WIRE_LEN).message(t);
    const m = decodeModel(new ProtoWriter().tag(1, WIRE_VARINT).int64(8).tag(7, WIRE_LEN).message(graph).finish());
    expect(m.graph.nodes[0].attributes).toEqual({ axes: { type: 'ints', value: [0, -1, 3] }, alpha: { type: 'float', value: 0.5 } });
    expect(m.graph.initializers.get('w')).toEqual(tensor('int64', [2, 1], [-5, 6]));
  });

  it('rejects external data, sparse initializers and a model without a graph with coded errors', () => {
    const ext = new ProtoWriter().tag(1, WIRE_LEN).string('location').tag(2, WIRE_LEN).string('w.bin');
    const t = new ProtoWriter().tag(1, WIRE_VARINT).int64(2).tag(2, WIRE_VARINT).uvarint(1).tag(8, WIRE_LEN).string('w');
    t.tag(13, WIRE_LEN).message(ext).tag(14, WIRE_VARINT).uvarint(1);
    const withExternal = new ProtoWriter().tag(1, WIRE_VARINT).int64(8).tag(7, WIRE_LEN).message(new ProtoWriter().tag(5, WIRE_LEN).message(t));
    const sparse = new ProtoWriter().tag(1, WIRE_VARINT).int64(8).tag(7, WIRE_LEN).message(new ProtoWriter().tag(15, WIRE_LEN).bytes(new Uint8Array()));
    const cases: [Uint8Array, string][] = [
      [withExternal.finish(), 'XQC_MODEL_EXTERNAL_DATA'],
      [sparse.finish(), 'XQC_MODEL_INVALID'],
      [new ProtoWriter().tag(1, WIRE_VARINT).int64(8).finish(), 'XQC_MODEL_INVALID'],
    ];
    for (const [bytes, code] of cases) {
      let err: unknown;
      try {
        decodeModel(bytes);
      } catch (e) {
        err = e;
      }
      expect((err as { code?: string }).code).toBe(code);
      expect(isXqcError(err)).toBe(true);
    }
  });
});
