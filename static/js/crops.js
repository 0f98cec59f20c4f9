// crops: the crop editor on the artwork page (drag, zoom, keys) and the
// post preview's carousel. Both pages work without this as plain forms,
// links and lists.
(function () {
  "use strict";

  function svgPoint(svg, event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    var matrix = svg.getScreenCTM();
    return matrix ? point.matrixTransform(matrix.inverse()) : { x: 0, y: 0 };
  }

  function setupPanel(panel, W, H) {
    var svg = panel.querySelector(".crop-svg");
    var frame = panel.querySelector("[data-crop-frame]");
    var shade = panel.querySelector("[data-crop-shade]");
    var safe = panel.querySelector("[data-crop-safe]");
    var readout = panel.querySelector("[data-crop-readout]");
    var handle = panel.querySelector("[data-crop-handle]");
    var keys = panel.querySelector("[data-crop-keys]");
    var inputs = { x: panel.querySelector("[data-crop-x]"), y: panel.querySelector("[data-crop-y]"), w: panel.querySelector("[data-crop-w]") };
    if (!svg || !frame || !inputs.x || !inputs.y || !inputs.w) return;
    var editable = !inputs.w.disabled && !inputs.w.closest("fieldset[disabled]");
    var rw = Number(panel.dataset.ratioW), rh = Number(panel.dataset.ratioH);
    var fractions = (panel.dataset.safe || "0 0 0 0").split(" ").map(Number);
    var maxW = Math.max(1, Math.min(W, Math.floor(H * rw / rh)));
    var minW = Math.min(16, maxW);
    var box = { x: Number(inputs.x.value) || 0, y: Number(inputs.y.value) || 0, w: Number(inputs.w.value) || maxW };

    function heightOf(w) { return Math.round(w * rh / rw); }
    function clamp() {
      box.w = Math.round(Math.min(maxW, Math.max(minW, box.w)));
      var h = heightOf(box.w);
      box.x = Math.round(Math.min(W - box.w, Math.max(0, box.x)));
      box.y = Math.round(Math.min(H - h, Math.max(0, box.y)));
    }
    function draw(announce) {
      clamp();
      var h = heightOf(box.w);
      frame.setAttribute("x", box.x); frame.setAttribute("y", box.y);
      frame.setAttribute("width", box.w); frame.setAttribute("height", h);
      shade.setAttribute("d", "M0 0H" + W + "V" + H + "H0Z M" + box.x + " " + box.y + "h" + box.w + "v" + h + "h-" + box.w + "Z");
      if (safe) {
        safe.setAttribute("x", Math.round(box.x + box.w * fractions[3]));
        safe.setAttribute("y", Math.round(box.y + h * fractions[0]));
        safe.setAttribute("width", Math.round(box.w * (1 - fractions[1] - fractions[3])));
        safe.setAttribute("height", Math.round(h * (1 - fractions[0] - fractions[2])));
      }
      inputs.x.value = box.x; inputs.y.value = box.y; inputs.w.value = box.w;
      if (announce && readout) {
        var kept = Math.round(100 * box.w * h / (W * H));
        readout.textContent = "Frame " + box.w + " × " + h + " px at " + box.x + ", " + box.y + " · keeps " + kept + "% of the artwork";
      }
    }
    function resize(factor) {
      var h = heightOf(box.w), cx = box.x + box.w / 2, cy = box.y + h / 2;
      box.w = box.w * factor;
      clamp();
      box.x = cx - box.w / 2; box.y = cy - heightOf(box.w) / 2;
      draw(true);
    }

    ["x", "y", "w"].forEach(function (name) {
      inputs[name].addEventListener("change", function () {
        box[name] = Number(inputs[name].value) || 0;
        draw(true);
      });
    });
    if (!editable) return;
    if (handle) handle.hidden = false;
    if (keys) keys.hidden = false;
    svg.classList.add("is-editable");

    var drag = null;
    svg.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      var p = svgPoint(svg, event);
      drag = { px: p.x, py: p.y, x: box.x, y: box.y, id: event.pointerId };
      // A press outside the frame centres it there first.
      if (event.target !== frame) {
        drag.x = p.x - box.w / 2; drag.y = p.y - heightOf(box.w) / 2;
        box.x = drag.x; box.y = drag.y; draw(false);
      }
      svg.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag || drag.id !== event.pointerId) return;
      var p = svgPoint(svg, event);
      box.x = drag.x + (p.x - drag.px); box.y = drag.y + (p.y - drag.py);
      draw(false);
    });
    function end(event) {
      if (!drag || drag.id !== event.pointerId) return;
      drag = null;
      draw(true);
    }
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      resize(event.deltaY > 0 ? 1.05 : 1 / 1.05);
    }, { passive: false });

    if (handle) {
      handle.addEventListener("keydown", function (event) {
        var step = Math.max(1, Math.round(Math.max(W, H) / 100)) * (event.shiftKey ? 10 : 1);
        var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
        if (moves[event.key]) {
          box.x += moves[event.key][0]; box.y += moves[event.key][1];
          draw(true);
        } else if (event.key === "+" || event.key === "=") {
          resize(1.05);
        } else if (event.key === "-" || event.key === "_") {
          resize(1 / 1.05);
        } else {
          return;
        }
        event.preventDefault();
      });
      handle.addEventListener("click", function () { handle.focus(); });
    }
  }

  function setupTabs(editor) {
    var tabs = Array.prototype.slice.call(editor.querySelectorAll("[data-crop-tab]"));
    function select(tab, focus) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.classList.toggle("is-active", on);
        t.tabIndex = on ? 0 : -1;
        var panel = document.getElementById(t.getAttribute("aria-controls"));
        if (panel) panel.hidden = !on;
      });
      if (focus) tab.focus();
      if (window.history && history.replaceState) {
        history.replaceState(null, "", "?crop=" + encodeURIComponent(tab.dataset.cropTab) + "#crops");
      }
    }
    tabs.forEach(function (tab, i) {
      tab.tabIndex = tab.getAttribute("aria-selected") === "true" ? 0 : -1;
      tab.addEventListener("click", function (event) { event.preventDefault(); select(tab, false); });
      tab.addEventListener("keydown", function (event) {
        var next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
        if (next === undefined) return;
        event.preventDefault();
        select(tabs[(next + tabs.length) % tabs.length], true);
      });
    });
  }

  function setupEditor(editor) {
    var W = Number(editor.dataset.width), H = Number(editor.dataset.height);
    if (!W || !H) return;
    setupTabs(editor);
    editor.querySelectorAll("[data-crop-panel]").forEach(function (panel) { setupPanel(panel, W, H); });
  }

  function setupCarousel(list) {
    var slides = Array.prototype.slice.call(list.querySelectorAll("[data-preview-slide]"));
    var pager = list.parentNode.querySelector("[data-preview-pager]");
    if (slides.length < 2 || !pager) return;
    var position = pager.querySelector("[data-preview-position]");
    var at = 0;
    function show(i) {
      at = (i + slides.length) % slides.length;
      slides.forEach(function (s, n) { s.hidden = n !== at; });
      if (position) position.textContent = (at + 1) + " of " + slides.length;
    }
    pager.hidden = false;
    list.classList.add("is-paged");
    pager.querySelector("[data-preview-prev]").addEventListener("click", function () { show(at - 1); });
    pager.querySelector("[data-preview-next]").addEventListener("click", function () { show(at + 1); });
    show(0);
  }

  // The preview follows the platform menu before the post is saved.
  function followPlatform() {
    var select = document.querySelector("[data-platform]");
    var shape = document.querySelector("[data-preview-shape]");
    if (!select || !shape) return;
    var presets;
    try { presets = JSON.parse(shape.dataset.presets || "{}"); } catch (e) { return; }
    select.addEventListener("change", function () {
      var preset = presets[select.value];
      document.querySelectorAll("[data-preview-image]").forEach(function (img) {
        var id = img.dataset.previewImage;
        img.src = preset ? "/media/" + id + "/crop/" + preset[0] : "/media/" + id + "/large";
        img.removeAttribute("height");
        img.removeAttribute("width");
      });
      shape.textContent = preset ? "Shown with its " + preset[1] + " crop" : "Shown in its own shape";
    });
  }

  function init() {
    document.querySelectorAll("[data-crop-editor]").forEach(setupEditor);
    document.querySelectorAll("[data-preview-carousel]").forEach(setupCarousel);
    followPlatform();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
