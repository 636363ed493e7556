// color-palettes: the web page's script. Plain JavaScript, no build step, no dependencies.
// It talks to the same API anyone can use: /api/samples, /api/palette, /api/compare and
// /api/export.
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
  const compareBox = $("compare");
  const order = $("order");

  /** The smallest gap kept between the lowest and highest brightness. */
  const GAP = 0.01;

  const state = {
    samples: [],
    sample: null, // the chosen sample's catalogue entry
    file: null, // the chosen or dropped File
    fileUrl: null, // its object URL, for showing it
    palette: null, // the last palette, as the API answered it
    comparison: null, // or the last comparison: {palettes: [...]}
    shown: null, // the request that made what is shown: [method, url, body, type]
    label: "palette", // a name for downloads
    busy: false,
    xhr: null, // the request running now, for Cancel
  };

  const mode = () => form.querySelector('input[name="mode"]:checked').value;

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

  /** Shows a still on the stage (before the palette arrives) with its credit line and its
   * alternative text. */
  function showStill(src, creditNode, alt) {
    strip.hidden = true;
    compareBox.hidden = true;
    result.hidden = true;
    markStale(false);
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
    still.alt = alt || "The still";
    still.src = src;
  }

  /** Marks what is shown as made with other options than the form's (or not). */
  function markStale(stale) {
    const shown = !result.hidden;
    $("stale").hidden = !(stale && shown);
    $("stage").classList.toggle("stale", Boolean(stale && shown));
    result.classList.toggle("stale", Boolean(stale && shown));
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

  /** Whether `rgb` is so close to the dark panel that a swatch of it needs an edge. */
  function nearPanel([r, g, b]) {
    const lin = (c) => {
      c /= 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    const luminance = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    // The panel (#1a1c20) is about 0.011: a contrast under 1.6 reads as the same colour.
    return (luminance + 0.05) / (0.011 + 0.05) < 1.6;
  }

  const percent = (p) => `${(p * 100).toFixed(p < 0.01 ? 2 : 1)} %`;

  /** A select's label for `value` (the method and space titles the page shows). */
  function titleOf(select, value) {
    const option = Array.from($(select).options).find((o) => o.value === value);
    return option ? option.textContent : value;
  }
  const paletteTitle = (p) => `${titleOf("method", p.method)}, ${titleOf("space", p.space)}`;

  /** Fills `box` with one part per colour, as wide as its share. */
  function fillStrip(box, palette) {
    box.replaceChildren();
    for (const swatch of palette.colors) {
      const part = document.createElement("div");
      part.style.setProperty("flex-grow", String(swatch.proportion));
      part.style.setProperty("background", swatch.hex);
      part.className = inkFor(swatch.rgb) + (nearPanel(swatch.rgb) ? " near-panel" : "");
      part.title = `${swatch.hex} · ${percent(swatch.proportion)}`;
      const label = document.createElement("span");
      label.textContent = swatch.hex;
      part.append(label);
      box.append(part);
    }
  }

  /** Shows the result's parts for one palette or for a comparison. */
  function showMode(comparing) {
    compareBox.hidden = !comparing || still.hidden;
    $("swatches").hidden = comparing;
    result.querySelector(".hint").hidden = comparing;
    $("coolors").hidden = comparing;
    for (const button of result.querySelectorAll(".palette-only")) button.hidden = comparing;
  }

  function showPalette(palette) {
    state.palette = palette;
    state.comparison = null;
    still.classList.remove("alone");
    fillStrip(strip, palette);
    const list = $("swatches");
    list.replaceChildren();
    for (const swatch of palette.colors) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "swatch";
      button.dataset.hex = swatch.hex;
      button.setAttribute("aria-label", `${swatch.hex}, ${percent(swatch.proportion)}: copy`);
      const chip = document.createElement("span");
      chip.className = "chip" + (nearPanel(swatch.rgb) ? " near-panel" : "");
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
    showMode(false);
    const n = palette.colors.length;
    const asked = n < palette.k ? ` (asked for ${palette.k}; the still has fewer distinct colours)` : "";
    $("result-title").textContent = `${n} colour${n === 1 ? "" : "s"} · ${paletteTitle(palette)}${asked}`;
    $("coolors").href = "https://coolors.co/" + palette.colors.map((s) => s.hex.slice(1)).join("-");
    result.hidden = false;
    markStale(false);
    revealStage();
  }

  /** The four palettes of the original analysis, one strip each under the still. */
  function showComparison(comparison) {
    state.comparison = comparison;
    state.palette = null;
    still.classList.remove("alone");
    strip.hidden = true;
    compareBox.replaceChildren();
    for (const palette of comparison.palettes) {
      const title = document.createElement("h3");
      title.textContent = `${paletteTitle(palette)} · ${palette.colors.length} colours`;
      const row = document.createElement("div");
      row.className = "strip";
      fillStrip(row, palette);
      compareBox.append(title, row);
    }
    showMode(true);
    compareBox.hidden = false;
    const k = comparison.palettes.length ? comparison.palettes[0].k : 0;
    $("result-title").textContent =
      `Compared: k-means and agglomerative, RGB and HSV · ${k} colours each`;
    result.hidden = false;
    markStale(false);
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
      const name = state.file ? state.file.name : "";
      showStill(state.fileUrl, state.file ? document.createTextNode(name) : null, `The uploaded still, ${name}`);
    } else if (which === "url") {
      const url = urlInput.value.trim();
      showStill(/^https?:\/\//i.test(url) ? url : null, null, `The still at ${url}`);
    } else {
      showStill(null, null);
    }
  }
  for (const radio of form.querySelectorAll('input[name="source"]')) {
    radio.addEventListener("change", selectSource);
  }

  function chooseSample(sample) {
    state.sample = sample;
    const name = sample.name.replace(/_/g, " ");
    showStill(`${sample.preview}?width=1280`, sampleCredit(sample), `A still from ${name} (sample)`);
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

  // Any change of an option after a result is shown marks the result as stale.
  form.addEventListener("input", () => markStale(true));
  form.addEventListener("change", () => markStale(true));

  /** One palette or four: the method and space menus apply to one; matched to four. */
  function selectMode() {
    const comparing = mode() === "compare";
    $("method").disabled = comparing;
    $("space").disabled = comparing;
    $("compare-hint").hidden = !comparing;
    order.querySelector('option[value="matched"]').disabled = !comparing;
    if (comparing && order.value === "share") order.value = "matched";
    if (!comparing && order.value === "matched") order.value = "share";
    generate.textContent = comparing ? "Compare palettes" : "Generate palette";
  }
  for (const radio of form.querySelectorAll('input[name="mode"]')) {
    radio.addEventListener("change", selectMode);
  }

  /** The query string of the options, or throws with what to fix. */
  function optionsQuery() {
    const params = new URLSearchParams();
    params.set("k", k.value);
    if (mode() === "palette") {
      params.set("method", $("method").value);
      params.set("space", $("space").value);
    }
    const defaultOrder = mode() === "compare" ? "matched" : "share";
    if (order.value !== defaultOrder) params.set("order", order.value);
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

  /** Sends a request, reporting upload progress; resolves with the parsed JSON (or, with
   * `asBlob`, the body as a Blob). Cancel aborts it: it rejects with `cancelled` set. */
  function send(method, url, body, contentType, asBlob) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      state.xhr = xhr;
      xhr.open(method, url);
      xhr.timeout = 180000;
      if (asBlob) xhr.responseType = "blob";
      if (contentType) xhr.setRequestHeader("Content-Type", contentType);
      if (body) {
        xhr.upload.addEventListener("progress", (e) => {
          if (e.lengthComputable) showProgress(`Uploading… ${Math.round((100 * e.loaded) / e.total)} %`, e.loaded / e.total);
        });
        xhr.upload.addEventListener("load", () => showProgress("Finding the colours…", null));
      }
      xhr.addEventListener("load", async () => {
        if (asBlob && xhr.status >= 200 && xhr.status < 300) {
          resolve(xhr.response);
          return;
        }
        let data = null;
        try {
          data = JSON.parse(asBlob ? await xhr.response.text() : xhr.responseText);
        } catch (_) {
          data = null;
        }
        if (xhr.status >= 200 && xhr.status < 300 && data) resolve(data);
        else if (data && typeof data.error === "string") reject(new Error(data.error));
        else reject(new Error(`The server answered ${xhr.status} ${xhr.statusText}.`));
      });
      xhr.addEventListener("error", () => reject(new Error("Could not reach the server. Is it still running?")));
      xhr.addEventListener("timeout", () => reject(new Error("The server took too long to answer; try again.")));
      xhr.addEventListener("abort", () => {
        const cancelled = new Error("Cancelled.");
        cancelled.cancelled = true;
        reject(cancelled);
      });
      xhr.send(body || null);
    });
  }

  function request() {
    const params = optionsQuery();
    const route = mode() === "compare" ? "/api/compare" : "/api/palette";
    switch (source()) {
      case "sample":
        if (!state.sample) throw new Error("Choose one of the sample stills first.");
        params.set("sample", state.sample.name);
        state.label = state.sample.name;
        return ["GET", `${route}?${params}`, null, null, "Finding the colours…"];
      case "upload": {
        const file = state.file;
        if (!file) throw new Error("Choose or drop an image file first.");
        state.label = file.name.replace(/\.[^.]*$/, "") || "upload";
        const type = /^image\//.test(file.type) ? file.type : "application/octet-stream";
        return ["POST", `${route}?${params}`, file, type, "Uploading…"];
      }
      default: {
        const url = urlInput.value.trim();
        if (!url) throw new Error("Paste the address of an image first.");
        if (!/^https?:\/\//i.test(url)) throw new Error("The address must start with http:// or https://.");
        params.set("url", url);
        state.label = "still";
        showStill(url, null, `The still at ${url}`);
        return ["GET", `${route}?${params}`, null, null, "Fetching the still and finding the colours…"];
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
    // Not `disabled`: a disabled button drops the keyboard focus.
    generate.setAttribute("aria-disabled", "true");
    form.setAttribute("aria-busy", "true");
    showProgress(status, null);
    revealStage();
    try {
      const answer = await send(method, url, body, type);
      state.shown = [method, url, body, type];
      if (url.startsWith("/api/compare")) showComparison(answer);
      else showPalette(answer);
    } catch (err) {
      if (err.cancelled) {
        showToast("Cancelled");
        if (!result.hidden) markStale(true);
      } else {
        result.hidden = true;
        strip.hidden = true;
        compareBox.hidden = true;
        still.classList.add("alone");
        showError(`Could not make a palette: ${err.message}`);
      }
    } finally {
      state.busy = false;
      state.xhr = null;
      generate.removeAttribute("aria-disabled");
      form.removeAttribute("aria-busy");
      showProgress(null);
    }
  });

  $("cancel").addEventListener("click", () => {
    if (state.xhr) state.xhr.abort();
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

  /** The figure of what is shown, as the server draws it: the still with its strip (or
   * with the four strips), asked for again with the options that made it. */
  async function downloadFigure(stem) {
    const [method, url, body, type] = state.shown;
    const figureUrl = `${url}${url.includes("?") ? "&" : "?"}format=png`;
    showProgress("Drawing the figure…", null);
    try {
      save(await send(method, figureUrl, body, type, true), `${stem}.png`);
    } catch (err) {
      if (!err.cancelled) showError(`Could not prepare the download: ${err.message}`);
    } finally {
      state.xhr = null;
      showProgress(null);
    }
  }

  async function download(format) {
    if (state.comparison) {
      const k = state.comparison.palettes.length ? state.comparison.palettes[0].k : 0;
      const stem = `compare-${state.label}-${k}`.replace(/[^\w.-]+/g, "_");
      if (format === "json") {
        const text = JSON.stringify(state.comparison, null, 2) + "\n";
        save(new Blob([text], { type: "application/json" }), `${stem}.json`);
      } else if (format === "png") {
        await downloadFigure(stem);
      }
      return;
    }
    const palette = state.palette;
    if (!palette) return;
    const stem = `palette-${state.label}-${palette.colors.length}`.replace(/[^\w.-]+/g, "_");
    if (format === "png") {
      await downloadFigure(stem);
      return;
    }
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
  selectMode();
  selectSource();
  loadSamples();
})();
