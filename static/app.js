// Small enhancements on top of pages that work without JavaScript.
(function () {
  "use strict";

  // Dropdowns are <details>: close them on Escape and on a click elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[data-dropdown][open]").forEach(function (d) {
      if (!d.contains(event.target)) d.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details[data-dropdown][open]").forEach(function (d) {
      d.removeAttribute("open");
      var summary = d.querySelector("summary");
      if (summary) summary.focus();
    });
  });

  // Toasts (HTMX error messages) fade away after a while; a click dismisses.
  function armToast(toast) {
    if (toast.dataset.armed) return;
    toast.dataset.armed = "1";
    toast.addEventListener("click", function () { toast.remove(); });
    setTimeout(function () { toast.remove(); }, 8000);
  }
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("[data-toast]").forEach(armToast);
  });
})();

// The page's guards, for requests made from script.
function easelGuards() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
  } catch (e) {
    return {};
  }
}

// Uploads: one request per file, each with its own progress bar and result.
(function () {
  "use strict";
  var CONCURRENT = 2;

  function setup(form) {
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector("[data-upload-list]");
    var submit = form.querySelector("[data-uploader-submit]");
    var maxBytes = Number(form.dataset.maxBytes || 0);
    if (!input || !list) return;
    if (submit) submit.hidden = true;
    form.classList.add("is-enhanced");

    var queue = [];
    var running = 0;
    var finished = 0;

    function enqueue(files) {
      Array.prototype.forEach.call(files, function (file) {
        var item = document.createElement("li");
        item.className = "upload-result upload-pending";
        var name = document.createElement("span");
        name.className = "upload-name";
        name.textContent = file.name;
        var bar = document.createElement("progress");
        bar.max = 100;
        bar.value = 0;
        bar.setAttribute("aria-label", "Uploading " + file.name);
        var status = document.createElement("span");
        status.className = "upload-status";
        status.textContent = "Waiting…";
        item.append(name, bar, status);
        list.appendChild(item);
        queue.push({ file: file, item: item, bar: bar, status: status });
      });
      pump();
    }

    function pump() {
      while (running < CONCURRENT && queue.length) {
        running += 1;
        send(queue.shift());
      }
    }

    function done(job, html, ok, message) {
      running -= 1;
      finished += 1;
      if (ok && html) {
        var holder = document.createElement("template");
        holder.innerHTML = html.trim();
        var line = holder.content.querySelector("[data-upload-result]");
        if (line) job.item.replaceWith(line);
      } else {
        job.item.className = "upload-result upload-refused";
        job.bar.remove();
        job.status.textContent = message;
      }
      pump();
      if (running === 0 && queue.length === 0 && window.htmx) {
        window.htmx.ajax("GET", window.location.pathname + window.location.search, {
          target: "#gallery", select: "#gallery", swap: "outerHTML"
        });
      }
    }

    function send(job) {
      if (maxBytes && job.file.size > maxBytes) {
        done(job, null, false, "Refused: larger than " + Math.round(maxBytes / 1048576) + " MB");
        return;
      }
      var guards = easelGuards();
      var data = new FormData();
      data.append("files", job.file, job.file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRF-Token", guards["x-csrf-token"] || "");
      xhr.setRequestHeader("X-Easel-Workspace", guards["x-easel-workspace"] || "");
      xhr.setRequestHeader("X-Easel-Uploader", "1");
      xhr.setRequestHeader("HX-Request", "true");
      job.status.textContent = "Uploading…";
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) job.bar.value = Math.round((event.loaded / event.total) * 100);
      });
      xhr.upload.addEventListener("load", function () {
        job.bar.value = 100;
        job.status.textContent = "Processing…";
      });
      xhr.addEventListener("load", function () {
        // A 422 that carries the file's result line says why it was refused.
        if (xhr.status === 200 || (xhr.status === 422 && xhr.responseText.indexOf("data-upload-result") >= 0)) {
          done(job, xhr.responseText, true);
        } else {
          var text = new DOMParser().parseFromString(xhr.responseText, "text/html").body.textContent || "";
          done(job, null, false, "Refused: " + (text.trim().replace(/\s+/g, " ") || "error " + xhr.status));
        }
      });
      xhr.addEventListener("error", function () {
        done(job, null, false, "Upload failed: the connection was lost. Nothing was stored.");
      });
      xhr.send(data);
    }

    input.addEventListener("change", function () {
      enqueue(input.files);
      input.value = "";
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      enqueue(input.files);
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (type) {
      form.addEventListener(type, function (event) {
        event.preventDefault();
        form.classList.add("is-dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      form.addEventListener(type, function () { form.classList.remove("is-dragging"); });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) enqueue(event.dataTransfer.files);
    });
  }

  document.querySelectorAll("form[data-uploader]").forEach(setup);
})();

// Drag-and-drop ordering (the arrow buttons do the same without a mouse).
(function () {
  "use strict";
  function setup(list) {
    var dragged = null;
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("li[data-id]");
      if (!dragged) return;
      dragged.classList.add("is-dragged");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.id);
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest("li[data-id]");
      if (!dragged || !over || over === dragged) return;
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var across = list.classList.contains("art-grid");
      var after = across ? (event.clientX - box.left) > box.width / 2 : (event.clientY - box.top) > box.height / 2;
      over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("dragend", function () {
      if (!dragged) return;
      dragged.classList.remove("is-dragged");
      dragged = null;
      save();
    });
    list.addEventListener("drop", function (event) { event.preventDefault(); });

    function save() {
      var guards = easelGuards();
      var body = new URLSearchParams();
      list.querySelectorAll("li[data-id]").forEach(function (li) { body.append("ids", li.dataset.id); });
      fetch(list.dataset.orderUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-CSRF-Token": guards["x-csrf-token"] || "",
          "X-Easel-Workspace": guards["x-easel-workspace"] || ""
        },
        body: body.toString()
      }).then(function (response) {
        if (!response.ok) window.location.reload();
      }, function () { window.location.reload(); });
    }
  }
  document.querySelectorAll("[data-sortable]").forEach(setup);
})();

// Calendar: drag a post to another day; its time of day is kept.
(function () {
  "use strict";
  // Listeners sit on the document: the grid is swapped by HTMX after a move.
  function onBoard(event, css) {
    var board = event.target.closest && event.target.closest("[data-dropzone-calendar]");
    return board ? event.target.closest(css) : null;
  }
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    dragged = onBoard(event, "[data-post]");
    if (!dragged) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.post);
    dragged.classList.add("is-dragged");
  });
  document.addEventListener("dragend", function () {
    if (!dragged) return;
    dragged.classList.remove("is-dragged");
    dragged = null;
    document.querySelectorAll("[data-dropzone-calendar] .is-drop-target").forEach(function (d) { d.classList.remove("is-drop-target"); });
  });
  document.addEventListener("dragover", function (event) {
    var day = dragged && onBoard(event, "[data-date]");
    if (!day) return;
    event.preventDefault();
    document.querySelectorAll("[data-dropzone-calendar] .is-drop-target").forEach(function (d) { if (d !== day) d.classList.remove("is-drop-target"); });
    day.classList.add("is-drop-target");
  });
  document.addEventListener("drop", function (event) {
    var day = dragged && onBoard(event, "[data-date]");
    if (!day) return;
    event.preventDefault();
    var post = dragged.dataset.post;
    day.querySelector(".post-chips").appendChild(dragged);
    var guards = easelGuards();
    fetch("/events/" + post + "/move", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRF-Token": guards["x-csrf-token"] || "",
        "X-Easel-Workspace": guards["x-easel-workspace"] || ""
      },
      body: "date=" + encodeURIComponent(day.dataset.date)
    }).then(function (response) {
      if (response.ok) {
        if (window.htmx) {
          window.htmx.ajax("GET", window.location.pathname + window.location.search, { target: "#calendar", select: "#calendar", swap: "outerHTML" });
        }
      } else {
        window.location.reload();
      }
    }, function () { window.location.reload(); });
  });
})();

// Post editor: live length and hashtag counts against the platform's limits,
// a live preview, and hashtag sets added with one click. Elements are looked
// up on each event, so the caption block still works after HTMX replaces it.
(function () {
  "use strict";
  var form = document.querySelector("[data-post-editor]");
  if (!form) return;
  var limits = {};
  try { limits = JSON.parse(form.dataset.limits || "{}"); } catch (e) { limits = {}; }
  function el(selector) { return form.querySelector(selector); }

  function text() {
    var c = el("[data-caption]").value.trim(), h = el("[data-hashtags]").value.trim();
    return c && h ? c + "\n\n" + h : c || h;
  }
  function update() {
    var meter = el("[data-meter]"), preview = document.querySelector("[data-preview]");
    if (!meter || !el("[data-caption]")) return;
    var t = text();
    var chars = Array.from(t).length;
    var tags = t.split(/\s+/).filter(function (w) { return w.length > 1 && w[0] === "#"; }).length;
    var limit = limits[el("[data-platform]").value] || {};
    meter.querySelector("[data-chars]").textContent = chars;
    meter.querySelector("[data-tags-count]").textContent = tags;
    meter.querySelector("[data-max-chars]").textContent = limit.chars == null ? "no limit" : limit.chars;
    meter.querySelector("[data-max-tags]").textContent = limit.hashtags == null ? "no limit" : limit.hashtags;
    var over = (limit.chars != null && chars > limit.chars) || (limit.hashtags != null && tags > limit.hashtags);
    meter.classList.toggle("is-over", over);
    if (preview) preview.textContent = t;
  }
  form.addEventListener("input", function (event) {
    if (event.target.matches("[data-caption], [data-hashtags]")) update();
  });
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-platform]")) update();
    if (target.matches("[data-hashtag-set]")) {
      var option = target.options[target.selectedIndex];
      if (option && option.dataset.tags) {
        var hashtags = el("[data-hashtags]");
        hashtags.value = (hashtags.value.trim() + " " + option.dataset.tags).trim();
        update();
      }
      target.selectedIndex = 0;
    }
  });
  document.addEventListener("htmx:afterSwap", update);
})();

// Importing a workspace: the archive goes up with a progress bar (it may be
// gigabytes), then the answer (the result, or why it was refused) replaces
// the page's content. Without script the form posts as usual.
(function () {
  "use strict";
  function setup(form) {
    var holder = form.querySelector("[data-import-progress]");
    var bar = holder && holder.querySelector("progress");
    var status = holder && holder.querySelector("[data-import-status]");
    var button = form.querySelector("button[type=submit]");
    if (!holder || !bar || !status) return;
    form.addEventListener("submit", function (event) {
      if (!form.checkValidity()) return;
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      holder.hidden = false;
      if (button) button.disabled = true;
      status.textContent = "Uploading…";
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        bar.value = Math.round((e.loaded / e.total) * 100);
        status.textContent = "Uploading… " + bar.value + "%";
      });
      xhr.upload.addEventListener("load", function () {
        bar.value = 100;
        status.textContent = "Checking and importing the archive…";
      });
      xhr.addEventListener("load", function () {
        var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var main = page.getElementById("main");
        var here = document.getElementById("main");
        if (main && here) {
          here.replaceWith(main);
          document.title = page.title;
          document.querySelectorAll("form[data-import-upload]").forEach(setup);
        } else {
          status.textContent = "The import failed (error " + xhr.status + ").";
          if (button) button.disabled = false;
        }
      });
      xhr.addEventListener("error", function () {
        status.textContent = "The upload failed: the connection was lost. Nothing was imported.";
        if (button) button.disabled = false;
      });
      xhr.send(new FormData(form));
    });
  }
  document.querySelectorAll("form[data-import-upload]").forEach(setup);
})();

// The workspace switcher's search box: filters the listed workspaces as one
// types (without script, the listed ones show and the box stays hidden).
(function () {
  "use strict";
  var find = document.querySelector("[data-switcher-find]");
  if (!find) return;
  var input = find.querySelector("input");
  var none = find.querySelector("[data-switcher-none]");
  var menu = find.parentNode;
  find.hidden = false;
  function filter() {
    var q = input.value.trim().toLowerCase();
    var shown = 0;
    menu.querySelectorAll("[data-switcher-item]").forEach(function (item) {
      var match = !q || item.getAttribute("data-switcher-item").indexOf(q) !== -1;
      item.hidden = !match;
      if (match) shown += 1;
    });
    menu.querySelectorAll("[data-switcher-group]").forEach(function (label) { label.hidden = !!q; });
    none.hidden = shown > 0;
  }
  input.addEventListener("input", filter);
  // The rest of a long list arrives when the menu opens: filter it too.
  menu.addEventListener("htmx:afterSwap", filter);
  var details = find.closest("details");
  if (details) details.addEventListener("toggle", function () { if (details.open) input.focus(); });
})();

// The time zone fields of sign-up and new-workspace forms default to the
// browser's zone (without script the form sends UTC).
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) return;
  document.querySelectorAll("select[data-time-zone]").forEach(function (select) {
    if (select.dataset.chosen === "1") return;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) { select.value = zone; break; }
    }
  });
})();

// "Copy" next to a link one shares (an invitation): the link stays a
// selectable field without script.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 2000);
      }, function () { field.select(); });
    });
  });
})();
