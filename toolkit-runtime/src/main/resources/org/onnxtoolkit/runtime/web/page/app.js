// The page of `toolkit export --web`: decodes latent vectors with decoder.onnx in the browser through
// onnxruntime-web (WebAssembly, one thread), loaded from ./onnxruntime-web/ next to this file.
//
// Deterministic hooks for tests and scripts:
//   ?z=v,v,...              the sample grid shows exactly these latent vectors (N times the latent size numbers)
//   ?seed=N                 the seed of the random samples
//   ?label=K                a class-conditional model (model.json lists "classes"): draw class K (default 0)
//   window.toolkit.ready    a promise of model.json, resolved once the model is loaded
//   window.toolkit.decode(z[, label])  the decoder's raw output [N, C, H, W] for z [N, latent], as an array; a
//                                   class-conditional decoder decodes every vector as class `label` (default: the
//                                   selected class)
//   window.toolkit.setLabel(k)      selects class k and redraws every picture
//   window.toolkit.showSamples(z)   draws z in the sample grid
//   document.body.dataset.state     'loading', then 'ready' once the first pictures are drawn, or 'error'
//
// Grids have the geometry of the toolkit's PNG grids (ImageGrid): 2-pixel mid-grey padding, tiles scaled by an
// integer factor, samples quantised as round(clamp(v, 0, 1) * 255) in float32 arithmetic, NaN as 0.
(() => {
  'use strict';

  const PAD = 2;
  const PADDING_GREY = 0x80;
  const SAMPLE_COLUMNS = 8;
  const SAMPLE_COUNT = 64;
  const SLIDER_RANGE = 3;

  const $ = (id) => document.getElementById(id);

  const model = { info: null, session: null, latent: 0, channels: 0, height: 0, width: 0, input: 'z', output: 'image',
    labelInput: null, classes: [], label: 0 };
  const samples = { z: null, n: 0, columns: SAMPLE_COLUMNS, scale: 1, selected: 0 };
  const explore = { base: null, dims: [], values: [], busy: false, dirty: false };
  const line = { a: null, b: null, counter: 1, busy: false, dirty: false };

  let readyResolve;
  let readyReject;
  const ready = new Promise((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  ready.catch(() => {});

  window.toolkit = {
    ready,
    get info() {
      return model.info;
    },
    async decode(z, label) {
      await ready;
      const values = Array.from(z, Number);
      if (values.length === 0 || values.length % model.latent !== 0) {
        throw new Error(`z must hold N * ${model.latent} numbers, got ${values.length}`);
      }
      return Array.from(await decode(values, values.length / model.latent, label === undefined ? model.label
        : checkedLabel(label)));
    },
    async setLabel(k) {
      await ready;
      await setLabel(checkedLabel(k));
    },
    async showSamples(z) {
      await ready;
      await setSamples(Float32Array.from(z, Number));
    },
  };

  // ---- random latent vectors -------------------------------------------------------------------------------

  // Standard normal numbers from a seed: xorshift32 for uniforms in (0, 1), Box-Muller for the normals.
  function normals(seed, count) {
    let x = (Math.imul((seed >>> 0) ^ 0x5bd1e995, 0x9e3779b1) >>> 0) || 0x12345678;
    const uniform = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return (x + 0.5) / 4294967296;
    };
    for (let i = 0; i < 8; i++) {
      uniform();
    }
    const out = new Float32Array(count);
    for (let i = 0; i < count; i += 2) {
      const r = Math.sqrt(-2 * Math.log(uniform()));
      const t = 2 * Math.PI * uniform();
      out[i] = r * Math.cos(t);
      if (i + 1 < count) {
        out[i + 1] = r * Math.sin(t);
      }
    }
    return out;
  }

  // ---- the model -------------------------------------------------------------------------------------------

  // One run at a time: onnxruntime-web sessions do not take concurrent runs.
  let queue = Promise.resolve();

  // A class label of this model: an integer in [0, number of classes).
  function checkedLabel(k) {
    const label = Number(k);
    if (!model.labelInput) {
      throw new Error('this model is not class-conditional; it takes no label');
    }
    if (!Number.isInteger(label) || label < 0 || label >= model.classes.length) {
      throw new Error(`the label must be an integer from 0 to ${model.classes.length - 1}, got ${k}`);
    }
    return label;
  }

  function decode(z, n, label = model.label) {
    const run = async () => {
      const feeds = { [model.input]: new ort.Tensor('float32', Float32Array.from(z), [n, model.latent]) };
      if (model.labelInput) {
        // A class-conditional decoder's second input: int64 class indices [N], all the same class here.
        feeds[model.labelInput] = new ort.Tensor('int64', new BigInt64Array(n).fill(BigInt(label)), [n]);
      }
      const result = await model.session.run(feeds);
      const image = result[model.output];
      const copy = new Float32Array(image.data);
      if (typeof image.dispose === 'function') {
        image.dispose();
      }
      return copy;
    };
    const p = queue.then(run);
    queue = p.catch(() => {});
    return p;
  }

  async function load() {
    if (typeof ort === 'undefined') {
      throw new Error('onnxruntime-web did not load (onnxruntime-web/ort.wasm.min.js is missing)');
    }
    if (location.protocol === 'file:') {
      throw new Error('open this page through a web server (./toolkit serve --run DIR, or any static server), not as a file');
    }
    const response = await fetch('model.json', { cache: 'no-cache' });
    if (!response.ok) {
      throw new Error(`model.json: HTTP ${response.status}`);
    }
    const info = await response.json();
    model.info = info;
    model.latent = info.latent_size;
    model.channels = info.image_shape.channels;
    model.height = info.image_shape.height;
    model.width = info.image_shape.width;
    model.input = info.decoder.input;
    model.output = info.decoder.output;
    model.labelInput = info.decoder.label_input || null;
    model.classes = Array.isArray(info.classes) ? info.classes.map(String) : [];
    if (model.labelInput && model.classes.length === 0) {
      throw new Error('model.json names a label input but lists no classes');
    }
    ort.env.wasm.wasmPaths = new URL('onnxruntime-web/', document.baseURI).href;
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = 'warning';
    model.session = await ort.InferenceSession.create(new URL(info.decoder.file, document.baseURI).href, {
      executionProviders: ['wasm'],
    });
    return info;
  }

  // ---- drawing ---------------------------------------------------------------------------------------------

  function quantise(v) {
    if (!(v > 0)) {
      return 0;
    }
    if (v >= 1) {
      return 255;
    }
    return Math.round(Math.fround(v * 255));
  }

  // The largest integer scale (1..8) at which `columns` tiles fit in about `target` pixels.
  function scaleFor(columns, target) {
    const s = Math.floor((target - (columns + 1) * PAD) / (columns * model.width));
    return Math.max(1, Math.min(8, s));
  }

  function drawGrid(canvas, pixels, n, columns, scale) {
    const { channels: c, height: h, width: w } = model;
    const cols = Math.min(columns, n);
    const rows = Math.ceil(n / cols);
    const tileW = w * scale;
    const tileH = h * scale;
    const width = cols * tileW + (cols + 1) * PAD;
    const height = rows * tileH + (rows + 1) * PAD;
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    const image = ctx.createImageData(width, height);
    const d = image.data;
    for (let o = 0; o < d.length; o += 4) {
      d[o] = d[o + 1] = d[o + 2] = PADDING_GREY;
      d[o + 3] = 255;
    }
    const plane = h * w;
    for (let i = 0; i < n; i++) {
      const x0 = PAD + (i % cols) * (tileW + PAD);
      const y0 = PAD + Math.floor(i / cols) * (tileH + PAD);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const base = i * c * plane + y * w + x;
          const r = quantise(pixels[base]);
          const g = c === 3 ? quantise(pixels[base + plane]) : r;
          const b = c === 3 ? quantise(pixels[base + 2 * plane]) : r;
          for (let dy = 0; dy < scale; dy++) {
            let o = ((y0 + y * scale + dy) * width + x0 + x * scale) * 4;
            for (let dx = 0; dx < scale; dx++, o += 4) {
              d[o] = r;
              d[o + 1] = g;
              d[o + 2] = b;
            }
          }
        }
      }
    }
    ctx.putImageData(image, 0, 0);
    canvas.dataset.count = String(n);
    canvas.dataset.columns = String(cols);
    canvas.dataset.scale = String(scale);
  }

  // ---- samples ---------------------------------------------------------------------------------------------

  async function setSamples(z) {
    samples.z = z;
    samples.n = z.length / model.latent;
    samples.columns = Math.min(SAMPLE_COLUMNS, samples.n);
    samples.scale = scaleFor(samples.columns, 700);
    const pixels = await decode(z, samples.n);
    drawGrid($('samples'), pixels, samples.n, samples.columns, samples.scale);
    await select(Math.min(samples.selected, samples.n - 1));
  }

  function sampleAt(event) {
    const canvas = $('samples');
    const k = canvas.width / canvas.getBoundingClientRect().width;
    const x = event.offsetX * k;
    const y = event.offsetY * k;
    const tileW = model.width * samples.scale + PAD;
    const tileH = model.height * samples.scale + PAD;
    const col = Math.floor((x - PAD / 2) / tileW);
    const row = Math.floor((y - PAD / 2) / tileH);
    const i = row * samples.columns + col;
    return col >= 0 && col < samples.columns && i >= 0 && i < samples.n ? i : -1;
  }

  // ---- explore ---------------------------------------------------------------------------------------------

  // Outlines the selected tile; an overlay, so the grid's pixels stay exactly the decoded ones.
  function markSelection() {
    const canvas = $('samples');
    const box = $('selection');
    const k = canvas.getBoundingClientRect().width / canvas.width;
    const tileW = model.width * samples.scale;
    const tileH = model.height * samples.scale;
    const i = samples.selected;
    const x0 = PAD + (i % samples.columns) * (tileW + PAD);
    const y0 = PAD + Math.floor(i / samples.columns) * (tileH + PAD);
    box.style.left = `${(x0 - PAD) * k}px`;
    box.style.top = `${(y0 - PAD) * k}px`;
    box.style.width = `${(tileW + 2 * PAD) * k - 4}px`;
    box.style.height = `${(tileH + 2 * PAD) * k - 4}px`;
    box.hidden = false;
  }

  async function select(i) {
    samples.selected = i;
    markSelection();
    explore.base = samples.z.slice(i * model.latent, (i + 1) * model.latent);
    explore.values = explore.dims.map((d) => explore.base[d]);
    syncSliders();
    await renderExplore();
  }

  function buildSliders() {
    const count = Math.min(model.latent, 4);
    explore.dims = Array.from({ length: count }, (_, k) => k);
    const host = $('sliders');
    host.textContent = '';
    for (let k = 0; k < count; k++) {
      const row = document.createElement('div');
      row.className = 'slider';
      const select = document.createElement('select');
      select.setAttribute('aria-label', `latent dimension of slider ${k + 1}`);
      for (let d = 0; d < model.latent; d++) {
        const option = document.createElement('option');
        option.value = String(d);
        option.textContent = `z${d}`;
        select.appendChild(option);
      }
      select.value = String(explore.dims[k]);
      const range = document.createElement('input');
      range.type = 'range';
      range.min = String(-SLIDER_RANGE);
      range.max = String(SLIDER_RANGE);
      range.step = '0.01';
      range.setAttribute('aria-label', `value of slider ${k + 1}`);
      const output = document.createElement('output');
      select.addEventListener('change', () => {
        explore.dims[k] = Number(select.value);
        explore.values[k] = explore.base[explore.dims[k]];
        syncSliders();
        renderExplore().catch(fail);
      });
      range.addEventListener('input', () => {
        explore.values[k] = Number(range.value);
        output.textContent = explore.values[k].toFixed(2);
        renderExplore().catch(fail);
      });
      row.append(select, range, output);
      host.appendChild(row);
    }
  }

  function syncSliders() {
    const rows = $('sliders').querySelectorAll('.slider');
    rows.forEach((row, k) => {
      const v = explore.values[k];
      row.querySelector('input').value = String(v);
      row.querySelector('output').textContent = v.toFixed(2);
    });
  }

  async function renderExplore() {
    if (explore.busy) {
      explore.dirty = true;
      return;
    }
    explore.busy = true;
    try {
      do {
        explore.dirty = false;
        const z = explore.base.slice();
        explore.dims.forEach((d, k) => {
          z[d] = explore.values[k];
        });
        const pixels = await decode(z, 1);
        drawGrid($('explore'), pixels, 1, 1, scaleFor(1, 260));
      } while (explore.dirty);
    } finally {
      explore.busy = false;
    }
  }

  // ---- interpolation ---------------------------------------------------------------------------------------

  function newEndpoints() {
    const ends = normals(1000003 * line.counter + 17, 2 * model.latent);
    line.counter++;
    line.a = ends.slice(0, model.latent);
    line.b = ends.slice(model.latent);
  }

  async function renderLine() {
    if (line.busy) {
      line.dirty = true;
      return;
    }
    line.busy = true;
    try {
      do {
        line.dirty = false;
        const steps = Number($('steps').value);
        const z = new Float32Array(steps * model.latent);
        for (let k = 0; k < steps; k++) {
          const t = k / (steps - 1);
          for (let d = 0; d < model.latent; d++) {
            z[k * model.latent + d] = line.a[d] + t * (line.b[d] - line.a[d]);
          }
        }
        const pixels = await decode(z, steps);
        drawGrid($('interpolation'), pixels, steps, steps, scaleFor(steps, 1040));
      } while (line.dirty);
    } finally {
      line.busy = false;
    }
  }

  // ---- classes (class-conditional models) ------------------------------------------------------------------

  function buildClassSelector() {
    const control = $('class-control');
    if (!model.labelInput) {
      control.hidden = true;
      return;
    }
    const select = $('class');
    select.textContent = '';
    model.classes.forEach((name, k) => {
      const option = document.createElement('option');
      option.value = String(k);
      option.textContent = `${k}: ${name}`;
      select.appendChild(option);
    });
    select.value = String(model.label);
    control.hidden = false;
    select.addEventListener('change', () => setLabel(Number(select.value)).catch(fail));
  }

  // Every picture shows one class: the samples, the explored sample and the interpolation are drawn again.
  async function setLabel(k) {
    model.label = k;
    $('class').value = String(k);
    await setSamples(samples.z);
    await renderLine();
  }

  // ---- text ------------------------------------------------------------------------------------------------

  function describe(info) {
    const p = info.provenance || {};
    const run = info.run || {};
    const config = run.config || {};
    const { channels: c, height: h, width: w } = model;
    const parts = [`latent size ${model.latent}`, `images ${c}\u00d7${h}\u00d7${w} (${c === 1 ? 'grey' : 'RGB'})`];
    const arch = p['model.architecture'] || config.architecture;
    const dataset = p['train.dataset'] || config.dataset;
    if (arch) {
      parts.push(dataset ? `${arch} trained on ${dataset}` : arch);
    }
    if (p['train.epochs']) {
      parts.push(`${p['train.epochs']} epoch${p['train.epochs'] === '1' ? '' : 's'}`);
    }
    if (p['train.test_elbo']) {
      parts.push(`test negative ELBO ${Number(p['train.test_elbo']).toFixed(2)} nats/image`);
    }
    $('summary').textContent = parts.join(' \u00b7 ');

    const rows = [
      ['architecture', arch],
      ['hidden', p['model.hidden']],
      ['objective', p['model.objective'] || config.objective],
      ['dataset', dataset],
      ['seed', p['train.seed']],
      ['classes', model.labelInput ? `${model.classes.length} (class-conditional)` : undefined],
      ['toolkit', p['toolkit.version']],
    ].filter(([, v]) => v !== undefined && v !== '');
    const dl = $('provenance');
    dl.textContent = '';
    for (const [k, v] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      dl.append(dt, dd);
    }
    const versions = (ort.env && ort.env.versions) || {};
    $('runtime').textContent = `ONNX Runtime Web ${versions.web || versions.common || ''}`.trim();
  }

  function fail(error) {
    console.error(error);
    document.body.dataset.state = 'error';
    $('summary').textContent = `Cannot show the model: ${error && error.message ? error.message : error}`;
    readyReject(error);
  }

  // ---- start -----------------------------------------------------------------------------------------------

  async function main() {
    const info = await load();
    describe(info);
    readyResolve(info);
    const params = new URLSearchParams(location.search);
    if (params.has('label')) {
      model.label = checkedLabel(params.get('label'));
    }
    buildClassSelector();
    let z;
    if (params.has('z')) {
      const values = params.get('z').split(',').map((s) => Number(s.trim()));
      if (values.length === 0 || values.length % model.latent !== 0 || values.some((v) => !Number.isFinite(v))) {
        throw new Error(`?z= must hold N * ${model.latent} numbers, got ${values.length}`);
      }
      z = Float32Array.from(values);
      $('samples-hint').textContent = `${values.length / model.latent} latent vector(s) from the address (?z=). Click an image to explore around it.`;
    } else {
      const seed = Number(params.get('seed') || $('seed').value) >>> 0;
      $('seed').value = String(seed);
      z = normals(seed, SAMPLE_COUNT * model.latent);
    }
    buildSliders();
    newEndpoints();
    await setSamples(z);
    await renderLine();

    $('resample').addEventListener('click', () => {
      const seed = (Number($('seed').value) >>> 0) + 1;
      $('seed').value = String(seed);
      setSamples(normals(seed, SAMPLE_COUNT * model.latent)).catch(fail);
    });
    $('seed').addEventListener('change', () => {
      setSamples(normals(Number($('seed').value) >>> 0, SAMPLE_COUNT * model.latent)).catch(fail);
    });
    $('samples').addEventListener('click', (event) => {
      const i = sampleAt(event);
      if (i >= 0) {
        select(i).catch(fail);
      }
    });
    $('reset').addEventListener('click', () => select(samples.selected).catch(fail));
    window.addEventListener('resize', markSelection);
    $('steps').addEventListener('input', () => {
      $('steps-value').textContent = $('steps').value;
      renderLine().catch(fail);
    });
    $('endpoints').addEventListener('click', () => {
      newEndpoints();
      renderLine().catch(fail);
    });
    document.body.dataset.state = 'ready';
  }

  main().catch(fail);
})();
