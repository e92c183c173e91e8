/**
 * ONNX ModelProto <-> IR. Field numbers follow onnx/onnx.proto (IR version 10). Fields the
 * IR does not model are kept as raw bytes on the model so a load/save round trip loses
 * nothing the runtime needs.
 */
import { XqcError } from '../../errors.ts';
import type { Attribute, Dim, Graph, Model, Node, RawField, ValueInfo } from '../ir.ts';
import { allocate, dtypeFromOnnxCode, fromBytes, onnxDTypeCode, sizeOf, toBytes } from '../tensor.ts';
import type { Tensor, TensorData } from '../tensor.ts';
import { ProtoReader, ProtoWriter, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './wire.ts';

const ATTR_CODES: Record<number, Attribute['type']> = {
  1: 'float',
  2: 'int',
  3: 'string',
  4: 'tensor',
  5: 'graph',
  6: 'floats',
  7: 'ints',
  8: 'strings',
  9: 'tensors',
  10: 'graphs',
};
const ATTR_TYPE_CODE: Record<string, number> = Object.fromEntries(Object.entries(ATTR_CODES).map(([k, v]) => [v, Number(k)]));

const DECODER = new TextDecoder();

// ---------------------------------------------------------------- decoding

/** Decodes ModelProto bytes into the IR. Throws `XQC_MODEL_INVALID` on malformed input. */
export function decodeModel(bytes: Uint8Array): Model {
  const r = new ProtoReader(bytes);
  const m: Model = {
    irVersion: 0,
    opsetImports: [],
    producerName: '',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadata: {},
    graph: emptyGraph(),
    extra: [],
  };
  let sawGraph = false;
  while (r.more()) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_VARINT) m.irVersion = r.int64();
    else if (f === 2 && w === WIRE_LEN) m.producerName = r.string();
    else if (f === 3 && w === WIRE_LEN) m.producerVersion = r.string();
    else if (f === 4 && w === WIRE_LEN) m.domain = r.string();
    else if (f === 5 && w === WIRE_VARINT) m.modelVersion = r.int64();
    else if (f === 6 && w === WIRE_LEN) m.docString = r.string();
    else if (f === 7 && w === WIRE_LEN) {
      m.graph = decodeGraph(r.sub());
      sawGraph = true;
    } else if (f === 8 && w === WIRE_LEN) m.opsetImports.push(decodeOpset(r.sub()));
    else if (f === 14 && w === WIRE_LEN) {
      const [k, v] = decodeStringEntry(r.sub());
      m.metadata[k] = v;
    } else m.extra.push(rawField(r, f, w));
  }
  if (!sawGraph) throw new XqcError('XQC_MODEL_INVALID', 'ONNX model has no graph');
  return m;
}

function rawField(r: ProtoReader, field: number, wireType: number): RawField {
  return { field, wireType, bytes: r.skip(wireType).slice() };
}

function emptyGraph(): Graph {
  return { name: '', nodes: [], inputs: [], outputs: [], initializers: new Map(), valueInfo: [] };
}

function decodeOpset(r: ProtoReader): { domain: string; version: number } {
  let domain = '';
  let version = 0;
  while (r.more()) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_LEN) domain = r.string();
    else if (f === 2 && w === WIRE_VARINT) version = r.int64();
    else r.skip(w);
  }
  return { domain, version };
}

function decodeStringEntry(r: ProtoReader): [string, string] {
  let k = '';
  let v = '';
  while (r.more()) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_LEN) k = r.string();
    else if (f === 2 && w === WIRE_LEN) v = r.string();
    else r.skip(w);
  }
  return [k, v];
}

function decodeGraph(r: ProtoReader): Graph {
  const g = emptyGraph();
  while (r.more()) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_LEN) g.nodes.push(decodeNode(r.sub()));
    else if (f === 2 && w === WIRE_LEN) g.name = r.string();
    else if (f === 5 && w === WIRE_LEN) {
      const t = decodeTensor(r.sub());
      if (!t.name) throw new XqcError('XQC_MODEL_INVALID', 'ONNX initializer without a name');
      g.initializers.set(t.name, t.tensor);
    } else if (f === 10 && w === WIRE_LEN) g.docString = r.string();
    else if (f === 11 && w === WIRE_LEN) g.inputs.push(decodeValueInfo(r.sub()));
    else if (f === 12 && w === WIRE_LEN) g.outputs.push(decodeValueInfo(r.sub()));
    else if (f === 13 && w === WIRE_LEN) g.valueInfo.push(decodeValueInfo(r.sub()));
    else if (f === 15) throw new XqcError('XQC_MODEL_INVALID', 'sparse initializers are not supported');
    else r.skip(w);
  }
  return g;
}

function decodeNode(r: ProtoReader): Node {
  const n: Node = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: {} };
  while (r.more()) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_LEN) n.inputs.push(r.string());
    else if (f === 2 && w === WIRE_LEN) n.outputs.push(r.string());
    else if (f === 3 && w === WIRE_LEN) n.name = r.string();
    else if (f === 4 && w === WIRE_LEN) n.opType = r.string();
    else if (f === 5 && w === WIRE_LEN) {
      const [name, a] = decodeAttribute(r.sub());
      n.attributes[name] = a;
    } else if (f === 6 && w === WIRE_LEN) n.docString = r.string();
    else if (f === 7 && w === WIRE_LEN) n.domain = r.string();
    else r.skip(w);
  }
  if (!n.opType) throw new XqcError('XQC_MODEL_INVALID', `ONNX node '${n.name}' has no op_type`);
  return n;
}

function decodeAttribute(r: ProtoReader): [string, Attribute] {
  let name = '';
  let typeCode = 0;
  let refAttrName = '';
  let f32: number | undefined;
  let i64: number | undefined;
  let s: Uint8Array | undefined;
  let t: Tensor | undefined;
  let g: Graph | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  const tensors: Tensor[] = [];
  const graphs: Graph[] = [];
  while (r.more()) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_LEN) name = r.string();
    else if (f === 20 && w === WIRE_VARINT) typeCode = r.varint();
    else if (f === 21 && w === WIRE_LEN) refAttrName = r.string();
    else if (f === 2 && w === WIRE_I32) f32 = r.float32();
    else if (f === 3 && w === WIRE_VARINT) i64 = r.int64();
    else if (f === 4 && w === WIRE_LEN) s = r.bytes();
    else if (f === 5 && w === WIRE_LEN) t = decodeTensor(r.sub()).tensor;
    else if (f === 6 && w === WIRE_LEN) g = decodeGraph(r.sub());
    else if (f === 7) r.repeated(w, () => r.float32(), floats);
    else if (f === 8) r.repeated(w, () => r.int64(), ints);
    else if (f === 9 && w === WIRE_LEN) strings.push(r.string());
    else if (f === 10 && w === WIRE_LEN) tensors.push(decodeTensor(r.sub()).tensor);
    else if (f === 11 && w === WIRE_LEN) graphs.push(decodeGraph(r.sub()));
    else if (f === 22 || f === 23 || f === 14 || f === 15) {
      throw new XqcError('XQC_MODEL_INVALID', `attribute '${name}' uses sparse tensors or type protos, which are not supported`);
    } else r.skip(w);
  }
  if (refAttrName) return [name, { type: 'ref', refAttrName, attrType: typeCode }];
  let kind: Attribute['type'] | undefined = ATTR_CODES[typeCode];
  if (!kind) {
    // Old writers omit the type; infer it from the field that is set.
    kind = f32 !== undefined ? 'float' : i64 !== undefined ? 'int' : s !== undefined ? 'string' : t ? 'tensor' : g ? 'graph'
      : floats.length ? 'floats' : ints.length ? 'ints' : strings.length ? 'strings' : tensors.length ? 'tensors' : graphs.length ? 'graphs' : undefined;
    if (!kind) throw new XqcError('XQC_MODEL_INVALID', `attribute '${name}' has no type and no value`);
  }
  switch (kind) {
    case 'float':
      return [name, { type: 'float', value: f32 ?? 0 }];
    case 'int':
      return [name, { type: 'int', value: i64 ?? 0 }];
    case 'string':
      return [name, { type: 'string', value: s ? DECODER.decode(s) : '' }];
    case 'tensor':
      if (!t) throw new XqcError('XQC_MODEL_INVALID', `tensor attribute '${name}' has no tensor`);
      return [name, { type: 'tensor', value: t }];
    case 'graph':
      if (!g) throw new XqcError('XQC_MODEL_INVALID', `graph attribute '${name}' has no graph`);
      return [name, { type: 'graph', value: g }];
    case 'floats':
      return [name, { type: 'floats', value: floats }];
    case 'ints':
      return [name, { type: 'ints', value: ints }];
    case 'strings':
      return [name, { type: 'strings', value: strings }];
    case 'tensors':
      return [name, { type: 'tensors', value: tensors }];
    case 'graphs':
      return [name, { type: 'graphs', value: graphs }];
    default:
      throw new XqcError('XQC_MODEL_INVALID', `attribute '${name}' has unsupported type ${typeCode}`);
  }
}

function decodeValueInfo(r: ProtoReader): ValueInfo {
  const v: ValueInfo = { name: '' };
  while (r.more()) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_LEN) v.name = r.string();
    else if (f === 2 && w === WIRE_LEN) {
      const start = r.pos;
      const sub = r.sub();
      const tensorType = decodeTypeProto(sub);
      if (tensorType) {
        v.dtype = tensorType.dtype;
        v.shape = tensorType.shape;
      } else {
        // Keep non-tensor types verbatim (tag excluded: we re-emit under field 2).
        const rr = new ProtoReader(r.buf, start, r.pos);
        v.rawType = rr.bytes().slice();
      }
    } else if (f === 3 && w === WIRE_LEN) v.docString = r.string();
    else r.skip(w);
  }
  return v;
}

function decodeTypeProto(r: ProtoReader): { dtype?: ReturnType<typeof dtypeFromOnnxCode>; shape?: Dim[] } | undefined {
  let result: { dtype?: ReturnType<typeof dtypeFromOnnxCode>; shape?: Dim[] } | undefined;
  while (r.more()) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_LEN) {
      const t = r.sub();
      result = {};
      while (t.more()) {
        const [tf, tw] = t.tag();
        if (tf === 1 && tw === WIRE_VARINT) {
          const code = t.varint();
          if (code !== 0) result.dtype = dtypeFromOnnxCodeLoose(code);
        } else if (tf === 2 && tw === WIRE_LEN) result.shape = decodeShape(t.sub());
        else t.skip(tw);
      }
    } else r.skip(w);
  }
  return result;
}

function dtypeFromOnnxCodeLoose(code: number): ReturnType<typeof dtypeFromOnnxCode> | undefined {
  try {
    return dtypeFromOnnxCode(code);
  } catch {
    // Exotic element types (complex, float8) are allowed on values the engine never touches.
    return undefined;
  }
}

function decodeShape(r: ProtoReader): Dim[] {
  const dims: Dim[] = [];
  while (r.more()) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_LEN) {
      const d = r.sub();
      let dim: Dim = null;
      while (d.more()) {
        const [df, dw] = d.tag();
        if (df === 1 && dw === WIRE_VARINT) dim = d.int64();
        else if (df === 2 && dw === WIRE_LEN) dim = d.string() || null;
        else d.skip(dw);
      }
      dims.push(dim);
    } else r.skip(w);
  }
  return dims;
}

/** Decodes one TensorProto. */
export function decodeTensor(r: ProtoReader): { name: string; tensor: Tensor } {
  const dims: number[] = [];
  let code = 0;
  let name = '';
  let raw: Uint8Array | undefined;
  let external = false;
  const floatData: number[] = [];
  const int32Data: number[] = [];
  const int64Data: number[] = [];
  const doubleData: number[] = [];
  const uint64Data: number[] = [];
  const stringData: string[] = [];
  while (r.more()) {
    const [f, w] = r.tag();
    if (f === 1) r.repeated(w, () => r.int64(), dims);
    else if (f === 2 && w === WIRE_VARINT) code = r.varint();
    else if (f === 4) r.repeated(w, () => r.float32(), floatData);
    else if (f === 5) r.repeated(w, () => r.int64(), int32Data);
    else if (f === 6 && w === WIRE_LEN) stringData.push(r.string());
    else if (f === 7) r.repeated(w, () => r.int64(), int64Data);
    else if (f === 8 && w === WIRE_LEN) name = r.string();
    else if (f === 9 && w === WIRE_LEN) raw = r.bytes();
    else if (f === 10) r.repeated(w, () => r.float64(), doubleData);
    else if (f === 11) r.repeated(w, () => r.varint(), uint64Data);
    else if (f === 13 && w === WIRE_LEN) {
      external = true;
      r.skip(w);
    } else if (f === 14 && w === WIRE_VARINT) external = r.varint() === 1 || external;
    else r.skip(w);
  }
  if (external) {
    throw new XqcError('XQC_MODEL_EXTERNAL_DATA', `tensor '${name}' is stored in an external file; embed it in the .onnx file`);
  }
  for (const d of dims) {
    if (d < 0 || !Number.isSafeInteger(d)) throw new XqcError('XQC_MODEL_INVALID', `tensor '${name}' has invalid dim ${d}`);
  }
  const dtype = dtypeFromOnnxCode(code);
  const n = sizeOf(dims);
  let data: TensorData;
  if (dtype === 'string') data = stringData;
  else if (raw) data = fromBytes(dtype, raw);
  else {
    data = allocate(dtype, n);
    const src =
      dtype === 'float32' ? floatData
      : dtype === 'float64' ? doubleData
      : dtype === 'int64' ? int64Data
      : dtype === 'uint64' || dtype === 'uint32' ? (uint64Data.length ? uint64Data : int32Data)
      : int32Data;
    if (src.length !== n && !(src.length === 0 && n === 0)) {
      throw new XqcError('XQC_MODEL_INVALID', `tensor '${name}' declares ${n} elements but holds ${src.length}`);
    }
    if (data instanceof BigInt64Array) for (let i = 0; i < n; i++) data[i] = BigInt(src[i]);
    else if (data instanceof BigUint64Array) for (let i = 0; i < n; i++) data[i] = BigInt(src[i]);
    else (data as Float64Array).set(src);
  }
  if (data.length !== n) {
    throw new XqcError('XQC_MODEL_INVALID', `tensor '${name}' declares ${n} elements but holds ${data.length}`);
  }
  return { name, tensor: { dtype, dims, data } };
}

// ---------------------------------------------------------------- encoding

/** Encodes the IR into ModelProto bytes. */
export function encodeModel(m: Model): Uint8Array {
  const w = new ProtoWriter();
  w.tag(1, WIRE_VARINT).int64(m.irVersion);
  if (m.producerName) w.tag(2, WIRE_LEN).string(m.producerName);
  if (m.producerVersion) w.tag(3, WIRE_LEN).string(m.producerVersion);
  if (m.domain) w.tag(4, WIRE_LEN).string(m.domain);
  if (m.modelVersion) w.tag(5, WIRE_VARINT).int64(m.modelVersion);
  if (m.docString) w.tag(6, WIRE_LEN).string(m.docString);
  w.tag(7, WIRE_LEN).message(encodeGraph(m.graph));
  for (const o of m.opsetImports) {
    const ow = new ProtoWriter();
    if (o.domain) ow.tag(1, WIRE_LEN).string(o.domain);
    ow.tag(2, WIRE_VARINT).int64(o.version);
    w.tag(8, WIRE_LEN).message(ow);
  }
  for (const [k, v] of Object.entries(m.metadata)) {
    const ew = new ProtoWriter();
    ew.tag(1, WIRE_LEN).string(k).tag(2, WIRE_LEN).string(v);
    w.tag(14, WIRE_LEN).message(ew);
  }
  for (const x of m.extra) w.tag(x.field, x.wireType).raw(x.bytes);
  return w.finish();
}

function encodeGraph(g: Graph): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.tag(1, WIRE_LEN).message(encodeNode(n));
  if (g.name) w.tag(2, WIRE_LEN).string(g.name);
  for (const [name, t] of g.initializers) w.tag(5, WIRE_LEN).message(encodeTensor(t, name));
  if (g.docString) w.tag(10, WIRE_LEN).string(g.docString);
  for (const v of g.inputs) w.tag(11, WIRE_LEN).message(encodeValueInfo(v));
  for (const v of g.outputs) w.tag(12, WIRE_LEN).message(encodeValueInfo(v));
  for (const v of g.valueInfo) w.tag(13, WIRE_LEN).message(encodeValueInfo(v));
  return w;
}

function encodeNode(n: Node): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.tag(1, WIRE_LEN).string(i);
  for (const o of n.outputs) w.tag(2, WIRE_LEN).string(o);
  if (n.name) w.tag(3, WIRE_LEN).string(n.name);
  w.tag(4, WIRE_LEN).string(n.opType);
  for (const [name, a] of Object.entries(n.attributes)) {
    w.tag(5, WIRE_LEN).message(encodeAttribute(name, a));
  }
  if (n.docString) w.tag(6, WIRE_LEN).string(n.docString);
  if (n.domain) w.tag(7, WIRE_LEN).string(n.domain);
  return w;
}

function encodeAttribute(name: string, a: Attribute): ProtoWriter {
  const w = new ProtoWriter();
  w.tag(1, WIRE_LEN).string(name);
  if (a.type === 'ref') {
    w.tag(21, WIRE_LEN).string(a.refAttrName);
    w.tag(20, WIRE_VARINT).uvarint(a.attrType);
    return w;
  }
  switch (a.type) {
    case 'float':
      w.tag(2, WIRE_I32).float32(a.value);
      break;
    case 'int':
      w.tag(3, WIRE_VARINT).int64(a.value);
      break;
    case 'string':
      w.tag(4, WIRE_LEN).string(a.value);
      break;
    case 'tensor':
      w.tag(5, WIRE_LEN).message(encodeTensor(a.value, ''));
      break;
    case 'graph':
      w.tag(6, WIRE_LEN).message(encodeGraph(a.value));
      break;
    case 'floats': {
      const p = new ProtoWriter();
      for (const v of a.value) p.float32(v);
      w.tag(7, WIRE_LEN).message(p);
      break;
    }
    case 'ints': {
      const p = new ProtoWriter();
      for (const v of a.value) p.int64(v);
      w.tag(8, WIRE_LEN).message(p);
      break;
    }
    case 'strings':
      for (const s of a.value) w.tag(9, WIRE_LEN).string(s);
      break;
    case 'tensors':
      for (const t of a.value) w.tag(10, WIRE_LEN).message(encodeTensor(t, ''));
      break;
    case 'graphs':
      for (const g of a.value) w.tag(11, WIRE_LEN).message(encodeGraph(g));
      break;
  }
  w.tag(20, WIRE_VARINT).uvarint(ATTR_TYPE_CODE[a.type]);
  return w;
}

function encodeValueInfo(v: ValueInfo): ProtoWriter {
  const w = new ProtoWriter();
  w.tag(1, WIRE_LEN).string(v.name);
  if (v.rawType) w.tag(2, WIRE_LEN).bytes(v.rawType);
  else if (v.dtype !== undefined || v.shape !== undefined) {
    const tt = new ProtoWriter();
    if (v.dtype !== undefined) tt.tag(1, WIRE_VARINT).uvarint(onnxDTypeCode(v.dtype));
    if (v.shape !== undefined) {
      const sh = new ProtoWriter();
      for (const d of v.shape) {
        const dw = new ProtoWriter();
        if (typeof d === 'number') dw.tag(1, WIRE_VARINT).int64(d);
        else if (typeof d === 'string') dw.tag(2, WIRE_LEN).string(d);
        sh.tag(1, WIRE_LEN).message(dw);
      }
      tt.tag(2, WIRE_LEN).message(sh);
    }
    const tp = new ProtoWriter();
    tp.tag(1, WIRE_LEN).message(tt);
    w.tag(2, WIRE_LEN).message(tp);
  }
  if (v.docString) w.tag(3, WIRE_LEN).string(v.docString);
  return w;
}

/** Encodes a tensor as TensorProto (numeric data as raw_data, strings as string_data). */
export function encodeTensor(t: Tensor, name: string): ProtoWriter {
  const w = new ProtoWriter();
  if (t.dims.length > 0) {
    const p = new ProtoWriter();
    for (const d of t.dims) p.int64(d);
    w.tag(1, WIRE_LEN).message(p);
  }
  w.tag(2, WIRE_VARINT).uvarint(onnxDTypeCode(t.dtype));
  if (name) w.tag(8, WIRE_LEN).string(name);
  if (t.dtype === 'string') for (const s of t.data as string[]) w.tag(6, WIRE_LEN).string(s);
  else w.tag(9, WIRE_LEN).bytes(toBytes(t.data));
  return w;
}

/** The wire types used by this codec, re-exported for tests. */
export const WIRE = { WIRE_VARINT, WIRE_I64, WIRE_LEN, WIRE_I32 } as const;
