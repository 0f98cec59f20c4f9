// planner: "+N more" popovers, dragging artwork from the library tray onto
// a day or a post, and reordering the grid planner's tiles. Listeners sit on
// the document so they survive HTMX swaps; pages without this markup are
// untouched.
(function () {
  "use strict";

  function post(url, fields) {
    var guards = typeof easelGuards === "function" ? easelGuards() : {};
    var body = Object.keys(fields).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(fields[k]);
    }).join("&");
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRF-Token": guards["x-csrf-token"] || "",
        "X-Easel-Workspace": guards["x-easel-workspace"] || ""
      },
      body: body
    });
  }

  function announce(message) {
    var live = document.getElementById("planner-status");
    if (!live) {
      live = document.createElement("p");
      live.id = "planner-status";
      live.className = "visually-hidden";
      live.setAttribute("role", "status");
      document.body.appendChild(live);
    }
    live.textContent = message;
  }

  function refreshCalendar() {
    if (window.htmx && document.getElementById("calendar")) {
      window.htmx.ajax("GET", window.location.pathname + window.location.search,
        { target: "#calendar", select: "#calendar", swap: "outerHTML" });
    } else {
      window.location.reload();
    }
  }

  // "+N more": the day's posts in a popover (the link itself opens the day's list without JavaScript).
  var openLink = null;
  function closePopover(returnFocus) {
    document.querySelectorAll(".day-popover:not([hidden])").forEach(function (p) {
      p.hidden = true;
      p.innerHTML = "";
    });
    if (openLink) {
      openLink.setAttribute("aria-expanded", "false");
      if (returnFocus) openLink.focus();
    }
    openLink = null;
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    var pop = event.detail && event.detail.target;
    if (!pop || !pop.classList || !pop.classList.contains("day-popover")) return;
    var link = pop.parentNode.querySelector("[data-more-link]");
    document.querySelectorAll(".day-popover:not([hidden])").forEach(function (p) {
      if (p !== pop) { p.hidden = true; p.innerHTML = ""; }
    });
    var close = document.createElement("button");
    close.type = "button";
    close.className = "icon-button day-popover-close";
    close.setAttribute("aria-label", "Close");
    close.textContent = "✕";
    close.addEventListener("click", function () { closePopover(true); });
    pop.insertBefore(close, pop.firstChild);
    pop.hidden = false;
    var rect = link.getBoundingClientRect();
    var width = pop.offsetWidth, height = pop.offsetHeight;
    var left = Math.max(8, Math.min(rect.left, window.innerWidth - width - 8));
    var top = rect.bottom + 4;
    if (top + height > window.innerHeight - 8) top = Math.max(8, rect.top - height - 4);
    pop.style.left = left + "px";
    pop.style.top = top + "px";
    openLink = link;
    link.setAttribute("aria-expanded", "true");
    pop.focus();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && openLink) closePopover(true);
  });
  document.addEventListener("click", function (event) {
    if (!openLink) return;
    if (event.target.closest(".day-popover") || event.target.closest("[data-more-link]")) return;
    closePopover(false);
  });
  window.addEventListener("scroll", function () { if (openLink) closePopover(false); }, { passive: true });

  // The library tray: drag a piece onto a day (a new draft post) or onto a post (added to its carousel).
  var piece = null;
  function clearTargets() {
    document.querySelectorAll(".is-drop-target").forEach(function (d) { d.classList.remove("is-drop-target"); });
  }
  function dropTarget(event) {
    if (!event.target.closest) return null;
    var board = event.target.closest("[data-dropzone-calendar]");
    if (!board) return null;
    return event.target.closest("[data-post]") || event.target.closest("[data-date]");
  }
  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest(".tray-item[data-image]");
    if (!item) return;
    piece = item;
    item.classList.add("is-dragged");
    event.dataTransfer.effectAllowed = "copy";
    event.dataTransfer.setData("text/plain", item.dataset.image);
  });
  document.addEventListener("dragend", function () {
    if (piece) piece.classList.remove("is-dragged");
    piece = null;
    clearTargets();
  });
  document.addEventListener("dragover", function (event) {
    if (!piece) return;
    var target = dropTarget(event);
    if (!target) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    clearTargets();
    target.classList.add("is-drop-target");
  });
  document.addEventListener("drop", function (event) {
    if (!piece) return;
    var target = dropTarget(event);
    if (!target) return;
    event.preventDefault();
    event.stopPropagation();
    var image = piece.dataset.image;
    var title = piece.querySelector(".tray-title") ? piece.querySelector(".tray-title").textContent : "the piece";
    var tray = document.querySelector("[data-tray]");
    var request = target.dataset.post
      ? post("/events/" + target.dataset.post + "/images", { ids: image })
      : post("/calendars/plan", { calendar: tray ? tray.dataset.calendar : "", image: image, date: target.dataset.date });
    var message = target.dataset.post ? "Added " + title + " to the post." : "Planned " + title + " on " + target.dataset.date + ".";
    clearTargets();
    request.then(function (response) {
      if (response.ok) { announce(message); refreshCalendar(); } else { window.location.reload(); }
    }, function () { window.location.reload(); });
  }, true);

  // The grid planner: drop a tile on another to swap the two posts' times.
  var tile = null;
  document.addEventListener("dragstart", function (event) {
    var t = event.target.closest && event.target.closest("[data-feed-grid] [data-tile][draggable=true]");
    if (!t) return;
    tile = t;
    t.classList.add("is-dragged");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", t.dataset.tile);
  });
  document.addEventListener("dragend", function () {
    if (tile) tile.classList.remove("is-dragged");
    tile = null;
    clearTargets();
  });
  document.addEventListener("dragover", function (event) {
    if (!tile) return;
    var over = event.target.closest && event.target.closest("[data-feed-grid] [data-tile][draggable=true]");
    if (!over || over === tile) return;
    event.preventDefault();
    clearTargets();
    over.classList.add("is-drop-target");
  });
  document.addEventListener("drop", function (event) {
    if (!tile) return;
    var over = event.target.closest && event.target.closest("[data-feed-grid] [data-tile][draggable=true]");
    if (!over || over === tile) return;
    event.preventDefault();
    var grid = over.closest("[data-feed-grid]");
    clearTargets();
    post(grid.dataset.swapUrl, { post: tile.dataset.tile, "with": over.dataset.tile }).then(function (response) {
      if (response.ok && window.htmx) {
        announce("Swapped the two posts.");
        window.htmx.ajax("GET", window.location.pathname, { target: "#feed-grid", select: "#feed-grid", swap: "outerHTML" });
      } else {
        window.location.reload();
      }
    }, function () { window.location.reload(); });
  });
})();
