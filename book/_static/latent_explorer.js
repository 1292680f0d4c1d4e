// The live latent-space explorer of the VAE chapter: the decoder runs in the reader's browser.
//
// The book's extension book/_ext/latent_explorer.py loads this script on a chapter's page
// with data-explorer="<chapter>", and serves _static/explorer/<chapter>.json, which the
// chapter's full run wrote (aeutils.explorer.save_explorer): the decoder's Dense layers, the
// test codes and their digits. The explorer goes into the cell tagged "latent-explorer".
// Tests read window.latentExplorers: each explorer's code, output and frame times.
(function () {
  "use strict";
  const script = document.currentScript;
  const name = script.dataset.explorer;
  const dataUrl = new URL(`explorer/${name}.json`, script.src);
  // matplotlib's tab10, the colours of the chapter's own figure of the codes
  const DIGIT_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
  const ACTIVATIONS = {
    relu: (v) => (v > 0 ? v : 0),
    sigmoid: (v) => 1 / (1 + Math.exp(-v)),
    linear: (v) => v,
  };
  const STEP = 4; // pixels an arrow key moves the point (Shift: four times as far)

  function unpack(base64, Type) {
    const text = atob(base64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    // typed arrays use the platform's byte order: little-endian on every browser platform in use
    return new Type(bytes.buffer);
  }

  function themeColor(variable, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(variable).trim();
    return value || fallback;
  }

  class Explorer {
    constructor(cell, data) {
      this.pad = data.pad;
      this.extent = data.extent;
      this.layers = data.layers.map((layer) => ({
        rows: layer.shape[0], cols: layer.shape[1], activation: ACTIVATIONS[layer.activation],
        kernel: unpack(layer.kernel, Float32Array), bias: unpack(layer.bias, Float32Array),
      }));
      this.codes = unpack(data.codes, Float32Array);
      this.labels = unpack(data.labels, Uint8Array);
      this.frameMs = [];
      this.build(cell);
      this.moveTo(Math.floor(this.pad / 2), Math.floor(this.pad / 2));
    }

    build(cell) {
      const box = document.createElement("div");
      box.className = "latent-explorer";
      box.innerHTML = `
        <p class="latent-explorer-help" id="latent-explorer-help">Move the pointer over the test codes, or click the map
        and use the arrow keys: the digit on the right is decoded from the code under the
        cross, here in your browser.</p>
        <div class="latent-explorer-row">
          <canvas class="latent-explorer-pad" tabindex="0" role="application"
                  aria-label="Map of the test images' codes, coloured by digit"
                  aria-describedby="latent-explorer-help"></canvas>
          <div>
            <canvas class="latent-explorer-digit" width="28" height="28" role="img"
                    aria-label="The digit decoded from the code under the cross"></canvas>
            <p class="latent-explorer-code" aria-live="polite"></p>
          </div>
        </div>
        <p class="latent-explorer-legend">${DIGIT_COLORS.map((color, digit) =>
          `<span><span style="color:${color}" aria-hidden="true">&#9679;</span>&nbsp;${digit}</span>`
        ).join(" ")}</p>`;
      const output = cell.querySelector(".cell_output");
      cell.insertBefore(box, output);
      this.padCanvas = box.querySelector(".latent-explorer-pad");
      this.digitCanvas = box.querySelector(".latent-explorer-digit");
      this.codeText = box.querySelector(".latent-explorer-code");
      const ratio = window.devicePixelRatio || 1;
      this.padCanvas.width = this.padCanvas.height = Math.round(this.pad * ratio);
      this.padCanvas.style.width = this.padCanvas.style.height = `${this.pad}px`;
      this.points = this.drawPoints(ratio);
      const follow = (event) => {  // CSS pixels of the pad, however wide it is drawn
        const rect = this.padCanvas.getBoundingClientRect();
        this.moveTo(Math.floor(((event.clientX - rect.left) * this.pad) / rect.width),
                    Math.floor(((event.clientY - rect.top) * this.pad) / rect.height));
      };
      this.padCanvas.addEventListener("pointermove", follow);
      this.padCanvas.addEventListener("pointerdown", follow);  // a tap, on a touch screen
      this.padCanvas.addEventListener("keydown", (event) => {
        const step = event.shiftKey ? 4 * STEP : STEP;
        const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0],
                        ArrowUp: [0, -step], ArrowDown: [0, step] };
        if (!(event.key in moves)) return;
        event.preventDefault();
        this.moveTo(this.x + moves[event.key][0], this.y + moves[event.key][1]);
      });
      // redraw in the new colours when the reader switches between light and dark
      new MutationObserver(() => this.drawPad()).observe(
        document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    }

    drawPoints(ratio) {  // the codes, drawn once; each frame copies them
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = Math.round(this.pad * ratio);
      const context = canvas.getContext("2d");
      context.scale(ratio, ratio);
      context.globalAlpha = 0.5;
      for (let i = 0; i < this.labels.length; i++) {
        const [x, y] = this.pixelOf(this.codes[2 * i], this.codes[2 * i + 1]);
        context.fillStyle = DIGIT_COLORS[this.labels[i]];
        context.fillRect(x - 1, y - 1, 2, 2);
      }
      return canvas;
    }

    codeAt(x, y) {  // the code at the centre of pad pixel (x, y), as aeutils.explorer.pad_code
      const [low, high] = this.extent;
      return [low + ((x + 0.5) / this.pad) * (high - low),
              high - ((y + 0.5) / this.pad) * (high - low)];
    }

    pixelOf(u, v) {
      const [low, high] = this.extent;
      return [((u - low) / (high - low)) * this.pad, ((high - v) / (high - low)) * this.pad];
    }

    decode(code) {  // the decoder's Dense layers, in 64-bit arithmetic
      let values = Float64Array.from(code);
      for (const layer of this.layers) {
        const out = Float64Array.from(layer.bias);
        for (let i = 0; i < layer.rows; i++) {
          const value = values[i];
          if (value === 0) continue;
          const row = i * layer.cols;
          for (let j = 0; j < layer.cols; j++) out[j] += value * layer.kernel[row + j];
        }
        for (let j = 0; j < layer.cols; j++) out[j] = layer.activation(out[j]);
        values = out;
      }
      return values;
    }

    moveTo(x, y) {
      const start = performance.now();
      this.x = Math.min(this.pad - 1, Math.max(0, x));
      this.y = Math.min(this.pad - 1, Math.max(0, y));
      this.code = this.codeAt(this.x, this.y);
      this.output = this.decode(this.code);
      const context = this.digitCanvas.getContext("2d");
      const image = context.createImageData(28, 28);
      for (let i = 0; i < 784; i++) {
        const grey = Math.round(this.output[i] * 255);  // white digit on black, as in the figures
        image.data.set([grey, grey, grey, 255], 4 * i);
      }
      context.putImageData(image, 0, 0);
      this.drawPad();
      this.codeText.textContent =
        `code (${this.code[0].toFixed(2)}, ${this.code[1].toFixed(2)})`;
      this.frameMs.push(performance.now() - start);
    }

    drawPad() {
      const context = this.padCanvas.getContext("2d");
      const ratio = this.padCanvas.width / this.pad;
      context.setTransform(1, 0, 0, 1, 0, 0);
      context.clearRect(0, 0, this.padCanvas.width, this.padCanvas.height);
      context.drawImage(this.points, 0, 0);
      context.scale(ratio, ratio);
      context.strokeStyle = themeColor("--pst-color-text-base", "#222");
      context.lineWidth = 1.5;
      const [x, y] = [this.x + 0.5, this.y + 0.5];
      context.beginPath();
      context.moveTo(x - 8, y); context.lineTo(x + 8, y);
      context.moveTo(x, y - 8); context.lineTo(x, y + 8);
      context.stroke();
    }
  }

  function start() {
    const cell = document.querySelector(".tag_latent-explorer");
    if (!cell) return;
    fetch(dataUrl)
      .then((response) => {
        if (!response.ok) throw new Error(`${dataUrl}: ${response.status}`);
        return response.json();
      })
      .then((data) => {
        window.latentExplorers = window.latentExplorers || [];
        window.latentExplorers.push(new Explorer(cell, data));
      })
      .catch((error) => {
        const note = document.createElement("p");
        note.className = "latent-explorer-help";
        note.textContent = "The live explorer could not load its data.";
        cell.insertBefore(note, cell.querySelector(".cell_output"));
        console.error(`latent explorer: ${error}`);
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
