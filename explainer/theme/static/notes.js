// Source notes, enhanced: on narrow screens a chip opens its note in place (a popover
// that repeats the page's source-list entry) instead of jumping to the list.
// Without JavaScript, or on wide screens with margin notes, chips stay plain links.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 71.99rem)");
  if (!("showPopover" in HTMLElement.prototype)) return;

  var note = document.createElement("div");
  note.className = "note-popover";
  note.id = "note-popover";
  note.setAttribute("popover", "auto");
  note.setAttribute("role", "dialog");
  note.setAttribute("aria-label", document.documentElement.dataset.noteLabel || "Source");
  note.tabIndex = -1;
  document.body.appendChild(note);
  var opener = null;

  function fill(entry, chip) {
    note.textContent = "";
    var body = document.createElement("div");
    body.className = "note-popover__body";
    Array.prototype.forEach.call(entry.childNodes, function (node) {
      if (node.nodeType === 1 && node.classList.contains("backlinks")) return;
      body.appendChild(node.cloneNode(true));
    });
    var more = document.createElement("a");
    more.href = chip.getAttribute("href");
    more.className = "note-popover__more";
    more.textContent = document.documentElement.dataset.noteMore || "In the source list";
    more.addEventListener("click", function () { note.hidePopover(); });
    var close = document.createElement("button");
    close.type = "button";
    close.className = "note-popover__close";
    close.textContent = document.documentElement.dataset.noteClose || "Close";
    close.addEventListener("click", function () { note.hidePopover(); });
    note.append(body, more, close);
  }

  document.addEventListener("click", function (event) {
    var chip = event.target.closest && event.target.closest("a.chip");
    if (!chip || !narrow.matches) return;
    var entry = document.querySelector(chip.getAttribute("href"));
    if (!entry) return;
    event.preventDefault();
    opener = chip;
    fill(entry, chip);
    note.showPopover();
    note.focus();
  });

  note.addEventListener("toggle", function (event) {
    if (event.newState === "closed" && opener) {
      opener.focus();
      opener = null;
    }
  });
})();
