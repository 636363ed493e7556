// color-palettes: the web page's script. Plain JavaScript, no build step, no dependencies.
// It talks to the same API anyone can use: /api/samples, /api/palette and /api/export.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const form = $("form");
  const generate = $("generate");
  const k = $("k");
  const minB = $("min-brightness");
  const maxB = $("max-brightness");
  const seed = $("seed");
  const fileInput = $("file");
  const dropzone = $("dropzone");
  const urlInput = $("url");
  const still = $("still");
  const placeholder = $("placeholder");
  const strip = $("strip");
  const credit = $("credit");
  const result = $("result");
  const errorBox = $("error");
  const progress = $("progress");
  const progressBar = $("progress-bar");
  const progressText = $("progress-text");
  const toast = $("toast");

  /** The smallest gap kept between the lowest and highest brightness. */
  const GAP = 0.01;

  const state = {
    samples: [],
    sample: null, // the chosen sample's catalogue entry
    file: null, // the chosen or dropped File
    fileUrl: null, // its object URL, for showing it
    palette: null, // the last palette, as the API answered it
    label: "palette", // a name for downloads
    busy: false,
  };

  const source = () => form.querySelector('input[name="source"]:checked').value;

  // ---- Showing things ----------------------------------------------------------------

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
    if (message) revealStage();
  }

  /** Brings the stage (progress, errors, the palette) into view if it is not. */
  function revealStage() {
    const stage = $("stage");
    const top = stage.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.5) {
      stage.scrollIntoView({ behavior: "smooth", block: "start" });
    }
  }

  function showProgress(text, fraction) {
    progress.hidden = text === null;
    if (text === null) return;
    progressText.textContent = text;
    if (fraction === undefined || fraction === null) {
      progressBar.removeAttribute("value"); // indeterminate
    } else {
      progressBar.value = fraction;
    }
  }

  let toastTimer = 0;
  function showToast(text) {
    toast.textContent = text;
    toast.classList.add("show");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => toast.classList.remove("show"), 1600);
  }

  /** Shows a still on the stage (before the palette arrives) with its credit line. */
  function showStill(src, creditNode) {
    strip.hidden = true;
    result.hidden = true;
    credit.replaceChildren();
    if (creditNode) credit.append(creditNode);
    if (!src) {
      still.hidden = true;
      still.removeAttribute("src");
      placeholder.hidden = false;
      return;
    }
    still.classList.add("alone");
    still.hidden = false;
    placeholder.hidden = true;
    still.src = src;
  }

  still.addEventListener("load", () => {
    // A tiny still (a test card, a swatch) blown up: show its pixels, not a blur.
    still.classList.toggle("pixelated", still.naturalWidth * 4 < still.clientWidth);
  });

  still.addEventListener("error", () => {
    if (!still.getAttribute("src")) return;
    still.hidden = true;
    placeholder.hidden = false;
    placeholder.textContent =
      source() === "url"
        ? "Your browser cannot show this image, but the server may still be able to read it."
        : "This image cannot be shown.";
  });

  function sampleCredit(sample) {
    const line = document.createDocumentFragment();
    line.append(`${sample.name.replace(/_/g, " ")} · ${sample.licence} · ${sample.attribution} · `);
    const link = document.createElement("a");
    link.href = sample.source;
    link.textContent = "source";
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    line.append(link);
    return line;
  }

  /** Black or white text, whichever reads better on `rgb`. */
  function inkFor([r, g, b]) {
    const lin = (c) => {
      c /= 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    const luminance = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    return luminance > 0.18 ? "light-ink" : "dark-ink";
  }

  const percent = (p) => `${(p * 100).toFixed(p < 0.01 ? 2 : 1)} %`;

  function showPalette(palette) {
    state.palette = palette;
    still.classList.remove("alone");
    strip.replaceChildren();
    const list = $("swatches");
    list.replaceChildren();
    for (const swatch of palette.colors) {
      const part = document.createElement("div");
      part.style.setProperty("flex-grow", String(swatch.proportion));
      part.style.setProperty("background", swatch.hex);
      part.className = inkFor(swatch.rgb);
      part.title = `${swatch.hex} · ${percent(swatch.proportion)}`;
      const label = document.createElement("span");
      label.textContent = swatch.hex;
      part.append(label);
      strip.append(part);

      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "swatch";
      button.dataset.hex = swatch.hex;
      button.setAttribute("aria-label", `${swatch.hex}, ${percent(swatch.proportion)}: copy`);
      const chip = document.createElement("span");
      chip.className = "chip";
      chip.style.setProperty("background", swatch.hex);
      const meta = document.createElement("span");
      meta.className = "meta";
      const code = document.createElement("code");
      code.textContent = swatch.hex;
      const share = document.createElement("span");
      share.className = "share";
      share.textContent = percent(swatch.proportion);
      meta.append(code, share);
      button.append(chip, meta);
      item.append(button);
      list.append(item);
    }
    strip.hidden = still.hidden;
    const n = palette.colors.length;
    const asked = n < palette.k ? ` (asked for ${palette.k}; the still has fewer distinct colours)` : "";
    $("result-title").textContent = `${n} colour${n === 1 ? "" : "s"}${asked}`;
    $("coolors").href = "https://coolors.co/" + palette.colors.map((s) => s.hex.slice(1)).join("-");
    result.hidden = false;
    revealStage();
  }

  // ---- Choosing a still --------------------------------------------------------------

  function selectSource() {
    const which = source();
    for (const name of ["sample", "upload", "url"]) {
      $(`panel-${name}`).hidden = name !== which;
    }
    showError("");
    if (which === "sample" && state.sample) {
      chooseSample(state.sample);
    } else if (which === "upload") {
      showStill(state.fileUrl, state.file ? document.createTextNode(state.file.name) : null);
    } else if (which === "url") {
      const url = urlInput.value.trim();
      showStill(/^https?:\/\//i.test(url) ? url : null, null);
    } else {
      showStill(null, null);
    }
  }
  for (const radio of form.querySelectorAll('input[name="source"]')) {
    radio.addEventListener("change", selectSource);
  }

  function chooseSample(sample) {
    state.sample = sample;
    showStill(`${sample.preview}?width=1280`, sampleCredit(sample));
  }

  async function loadSamples() {
    const box = $("samples");
    try {
      const response = await fetch("/api/samples");
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      state.samples = await response.json();
    } catch (e) {
      box.replaceChildren();
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = "The sample stills could not be listed; upload a still or paste a URL instead.";
      box.append(p);
      return;
    }
    box.replaceChildren();
    state.samples.forEach((sample, i) => {
      const label = document.createElement("label");
      label.className = "sample";
      label.title = sample.credit;
      const input = document.createElement("input");
      input.type = "radio";
      input.name = "sample";
      input.value = sample.name;
      input.checked = i === 0;
      input.addEventListener("change", () => chooseSample(sample));
      const img = document.createElement("img");
      img.src = `${sample.preview}?width=240`;
      img.alt = "";
      img.loading = "lazy";
      const name = document.createElement("span");
      name.textContent = sample.name.replace(/_/g, " ");
      label.append(input, img, name);
      box.append(label);
    });
    if (state.samples.length && source() === "sample") chooseSample(state.samples[0]);
    else if (state.samples.length) state.sample = state.samples[0];
  }

  function chooseFile(file) {
    if (!file) return;
    state.file = file;
    if (state.fileUrl) URL.revokeObjectURL(state.fileUrl);
    state.fileUrl = URL.createObjectURL(file);
    $("file-name").textContent = `${file.name} (${(file.size / 1e6).toFixed(1)} MB)`;
    $("source-upload").checked = true;
    selectSource();
  }
  fileInput.addEventListener("change", () => chooseFile(fileInput.files[0]));

  // Drag and drop: onto the drop zone, or anywhere on the page (so a miss does not make the
  // browser navigate away to the file).
  let dragDepth = 0;
  document.addEventListener("dragenter", (e) => {
    if (!e.dataTransfer || !Array.from(e.dataTransfer.types).includes("Files")) return;
    dragDepth += 1;
    dropzone.classList.add("dragging");
  });
  document.addEventListener("dragleave", () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) dropzone.classList.remove("dragging");
  });
  document.addEventListener("dragover", (e) => e.preventDefault());
  document.addEventListener("drop", (e) => {
    e.preventDefault();
    dragDepth = 0;
    dropzone.classList.remove("dragging");
    const file = e.dataTransfer && e.dataTransfer.files[0];
    if (file) chooseFile(file);
  });

  urlInput.addEventListener("change", selectSource);

  // ---- Options -----------------------------------------------------------------------

  k.addEventListener("input", () => {
    $("k-value").textContent = k.value;
  });

  /** Keeps lowest < highest: moving one past the other pushes the other along. */
  function keepOrder(moved) {
    let low = Number(minB.value);
    let high = Number(maxB.value);
    if (low + GAP > high) {
      if (moved === minB) {
        low = Math.min(low, 1 - GAP);
        high = low + GAP;
      } else {
        high = Math.max(high, GAP);
        low = high - GAP;
      }
      minB.value = low.toFixed(2);
      maxB.value = high.toFixed(2);
    }
    $("brightness-value").textContent =
      `${Math.round(Number(minB.value) * 100)} – ${Math.round(Number(maxB.value) * 100)} %`;
  }
  minB.addEventListener("input", () => keepOrder(minB));
  maxB.addEventListener("input", () => keepOrder(maxB));

  /** The query string of the options, or throws with what to fix. */
  function optionsQuery() {
    const params = new URLSearchParams();
    params.set("k", k.value);
    params.set("method", $("method").value);
    params.set("space", $("space").value);
    const low = Number(minB.value);
    const high = Number(maxB.value);
    if (!(low < high)) throw new Error("The lowest brightness must be below the highest.");
    if (low > 0) params.set("min_brightness", low.toFixed(2));
    if (high < 1) params.set("max_brightness", high.toFixed(2));
    const s = seed.value.trim();
    if (s !== "" && s !== "0") {
      if (!/^\d+$/.test(s)) throw new Error("The seed must be a whole number, 0 or more.");
      params.set("seed", s);
    }
    return params;
  }

  // ---- Talking to the server ---------------------------------------------------------

  /** Sends a request, reporting upload progress; resolves with the parsed JSON. */
  function send(method, url, body, contentType) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.timeout = 180000;
      if (contentType) xhr.setRequestHeader("Content-Type", contentType);
      if (body) {
        xhr.upload.addEventListener("progress", (e) => {
          if (e.lengthComputable) showProgress(`Uploading… ${Math.round((100 * e.loaded) / e.total)} %`, e.loaded / e.total);
        });
        xhr.upload.addEventListener("load", () => showProgress("Finding the colours…", null));
      }
      xhr.addEventListener("load", () => {
        let data = null;
        try {
          data = JSON.parse(xhr.responseText);
        } catch (_) {
          data = null;
        }
        if (xhr.status >= 200 && xhr.status < 300 && data) resolve(data);
        else if (data && typeof data.error === "string") reject(new Error(data.error));
        else reject(new Error(`The server answered ${xhr.status} ${xhr.statusText}.`));
      });
      xhr.addEventListener("error", () => reject(new Error("Could not reach the server. Is it still running?")));
      xhr.addEventListener("timeout", () => reject(new Error("The server took too long to answer; try again.")));
      xhr.send(body || null);
    });
  }

  function request() {
    const params = optionsQuery();
    switch (source()) {
      case "sample":
        if (!state.sample) throw new Error("Choose one of the sample stills first.");
        params.set("sample", state.sample.name);
        state.label = state.sample.name;
        return ["GET", `/api/palette?${params}`, null, null, "Finding the colours…"];
      case "upload": {
        const file = state.file;
        if (!file) throw new Error("Choose or drop an image file first.");
        state.label = file.name.replace(/\.[^.]*$/, "") || "upload";
        const type = /^image\//.test(file.type) ? file.type : "application/octet-stream";
        return ["POST", `/api/palette?${params}`, file, type, "Uploading…"];
      }
      default: {
        const url = urlInput.value.trim();
        if (!url) throw new Error("Paste the address of an image first.");
        if (!/^https?:\/\//i.test(url)) throw new Error("The address must start with http:// or https://.");
        params.set("url", url);
        state.label = "still";
        showStill(url, null);
        return ["GET", `/api/palette?${params}`, null, null, "Fetching the still and finding the colours…"];
      }
    }
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (state.busy) return;
    showError("");
    let args;
    try {
      args = request();
    } catch (err) {
      showError(err.message);
      return;
    }
    const [method, url, body, type, status] = args;
    state.busy = true;
    generate.disabled = true;
    form.setAttribute("aria-busy", "true");
    showProgress(status, null);
    revealStage();
    try {
      showPalette(await send(method, url, body, type));
    } catch (err) {
      result.hidden = true;
      strip.hidden = true;
      still.classList.add("alone");
      showError(`Could not make a palette: ${err.message}`);
    } finally {
      state.busy = false;
      generate.disabled = false;
      form.removeAttribute("aria-busy");
      showProgress(null);
    }
  });

  // ---- Copying and downloads ---------------------------------------------------------

  async function copy(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) {
      // No clipboard API (plain http on another host): the old way.
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    showToast(`Copied ${text}`);
  }
  $("swatches").addEventListener("click", (e) => {
    const button = e.target.closest(".swatch");
    if (button) copy(button.dataset.hex);
  });
  strip.addEventListener("click", (e) => {
    const part = e.target.closest(".strip > div");
    if (part) copy(part.title.split(" ")[0]);
  });

  function save(blob, name) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  async function download(format) {
    const palette = state.palette;
    if (!palette) return;
    const stem = `palette-${state.label}-${palette.colors.length}`.replace(/[^\w.-]+/g, "_");
    if (format === "json") {
      save(new Blob([JSON.stringify(palette, null, 2) + "\n"], { type: "application/json" }), `${stem}.json`);
      return;
    }
    try {
      const name = encodeURIComponent(`${state.label} (${palette.method}, ${palette.space})`);
      const response = await fetch(`/api/export?format=${format}&name=${name}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(palette),
      });
      if (!response.ok) {
        const data = await response.json().catch(() => ({}));
        throw new Error(data.error || `HTTP ${response.status}`);
      }
      save(await response.blob(), `${stem}.${format}`);
    } catch (err) {
      showError(`Could not prepare the download: ${err.message}`);
    }
  }
  for (const button of document.querySelectorAll("[data-download]")) {
    button.addEventListener("click", () => download(button.dataset.download));
  }

  keepOrder(minB);
  selectSource();
  loadSamples();
})();
