// Decodes latent vectors with onnxruntime-node, for the parity test against the Java decode.
//   node decode.mjs DECODER.onnx Z.bin N OUT.bin [LABELS.bin]
// Z.bin: N * latent float32 little-endian; LABELS.bin (a class-conditional decoder, inputs z and label): N int64
// little-endian class labels; OUT.bin: the decoder's output image [N, C, H, W], float32 little-endian.
// Prints one JSON line: {"runtime": version, "inputs": [names], "output": name, "dims": [...]}.
import fs from 'node:fs';
import ort from 'onnxruntime-node';

const [modelPath, zPath, nText, outPath, labelsPath] = process.argv.slice(2);
const n = Number(nText);
const bytes = fs.readFileSync(zPath);
const z = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
const input = session.inputNames[0];
const output = session.outputNames[0];
const feeds = { [input]: new ort.Tensor('float32', z, [n, z.length / n]) };
if (labelsPath) {
  const l = fs.readFileSync(labelsPath);
  const labels = new BigInt64Array(l.buffer.slice(l.byteOffset, l.byteOffset + l.byteLength));
  feeds[session.inputNames[1]] = new ort.Tensor('int64', labels, [n]);
}
const result = await session.run(feeds);
const image = result[output];
fs.writeFileSync(outPath, Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength));
console.log(JSON.stringify({ runtime: ort.env.versions.node ?? ort.env.versions.common, input,
  inputs: session.inputNames, output, dims: image.dims }));
