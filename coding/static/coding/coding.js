// The coding screen's only script: what the browser must do itself.
// - turn the DOM selection into code-point offsets on the transcript's canonical text
//   (the browser counts UTF-16 units; the server counts code points),
// - keyboard selection in a focused turn and keyboard access to the code list,
// - click a highlight to open its codings,
// - scroll to and flash a coding named in the URL fragment (#coding-12).
// Everything else is server-rendered and swapped by htmx.
(function () {
  "use strict";

  const screen = document.getElementById("coding-screen");
  if (!screen) return;
  const transcript = document.getElementById("transcript");
  const applyForm = document.getElementById("apply-form");
  const startInput = document.getElementById("sel-start");
  const endInput = document.getElementById("sel-end");
  const preview = document.getElementById("selection-preview");
  const filter = document.getElementById("code-filter");
  const panelUrl = screen.dataset.panelUrl;
  const previewIdle = preview ? preview.innerHTML : "";
  let selection = null; // {start, end, text} in code points

  // A coding made elsewhere on the page (an accepted suggestion) announces its span with the
  // codingsChanged event (an HX-Trigger header); re-render the turns it touched.
  document.body.addEventListener("codingsChanged", function (event) {
    const detail = event.detail || {};
    if (detail.start === undefined || !window.htmx) return;
    const params = new URLSearchParams({
      start: detail.start, end: detail.end, coder: screen.dataset.coder || "",
    });
    window.htmx.ajax("GET", screen.dataset.turnsUrl + "?" + params, { swap: "none" });
  });

  const { codePoints, codePointOffset, utf16Offset } = window.CodingOffsets; // offsets.js

  // Code points from the start of `root` (a .turn-text) to (node, offset).
  function offsetWithin(root, node, offset) {
    if (node.nodeType !== Node.TEXT_NODE) {
      // A position between child nodes: count the text of the children before it.
      const range = document.createRange();
      range.setStart(root, 0);
      range.setEnd(node, offset);
      return codePoints(range.toString());
    }
    let count = 0;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let current = walker.nextNode(); current; current = walker.nextNode()) {
      if (current === node) return count + codePointOffset(current.data, offset);
      count += codePoints(current.data);
    }
    return count;
  }

  function turnTextOf(node) {
    const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    return element ? element.closest(".turn-text") : null;
  }

  // The selection as absolute code-point offsets, clamped to the turns it touches.
  function selectionOffsets() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    if (!transcript.contains(range.commonAncestorContainer)) return null;
    const texts = Array.from(transcript.querySelectorAll(".turn-text")).filter((el) =>
      range.intersectsNode(el)
    );
    if (!texts.length) return null;
    const first = texts[0];
    const last = texts[texts.length - 1];
    let start = Number(first.dataset.start);
    let end = Number(last.dataset.end);
    if (turnTextOf(range.startContainer) === first) {
      start += offsetWithin(first, range.startContainer, range.startOffset);
    }
    if (turnTextOf(range.endContainer) === last) {
      end = Number(last.dataset.start) + offsetWithin(last, range.endContainer, range.endOffset);
    }
    if (end <= start) return null;
    return { start: start, end: end, text: range.toString() };
  }

  function showSelection() {
    if (startInput) startInput.value = selection ? selection.start : "";
    if (endInput) endInput.value = selection ? selection.end : "";
    const identifierText = document.getElementById("identifier-text");
    if (identifierText) identifierText.value = selection ? selection.text.trim() : "";
    if (!preview) return;
    if (!selection) {
      preview.innerHTML = previewIdle;
      return;
    }
    const words = selection.text.trim();
    const shown = words.length > 160 ? words.slice(0, 160) + "…" : words;
    preview.textContent = "Selected: “" + shown + "” (characters " + selection.start + "–" + selection.end + ")";
  }

  document.addEventListener("selectionchange", function () {
    const offsets = selectionOffsets();
    if (offsets) {
      selection = offsets;
      showSelection();
    }
  });

  function clearSelection() {
    selection = null;
    showSelection();
    const sel = window.getSelection();
    if (sel) sel.removeAllRanges();
  }

  // Keyboard selection without caret browsing. Tab to a turn's text; the cursor starts at the
  // turn's start. ← → move it (Ctrl/Alt: by a word), Shift + ← → extend the selection (Ctrl/Alt:
  // by a word), Shift + Home/End to the line's edge; Escape clears. Selection.modify moves the
  // DOM selection the way the browser's own caret would, so the offsets come out of the same
  // selectionchange path as a mouse selection.
  const CARET_KEYS = { ArrowLeft: "backward", ArrowRight: "forward", Home: "backward", End: "forward" };

  function firstTextPosition(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const node = walker.nextNode();
    return node ? [node, 0] : [root, 0];
  }

  function showCaret(root) {
    const sel = window.getSelection();
    if (!preview || !sel || !sel.isCollapsed || !root.contains(sel.focusNode)) return;
    const at = offsetWithin(root, sel.focusNode, sel.focusOffset);
    const before = Array.from(root.textContent).slice(Math.max(0, at - 40), at).join("");
    preview.textContent = "Cursor at character " + (Number(root.dataset.start) + at) +
      ", after “…" + before.trimStart() + "”. Shift + → selects from here.";
  }

  transcript.addEventListener("keydown", function (event) {
    const root = event.target.closest && event.target.closest(".turn-text");
    if (!root || event.metaKey) return;
    const sel = window.getSelection();
    if (!sel) return;
    if (event.key === "Escape") {
      clearSelection();
      return;
    }
    const direction = CARET_KEYS[event.key];
    if (!direction) return;
    const isHomeEnd = event.key === "Home" || event.key === "End";
    if (isHomeEnd && !event.shiftKey) return;
    event.preventDefault();
    if (sel.rangeCount === 0 || !transcript.contains(sel.anchorNode)) {
      const [node, offset] = firstTextPosition(root);
      sel.collapse(node, offset);
    }
    const granularity = isHomeEnd ? "lineboundary" : event.ctrlKey || event.altKey ? "word" : "character";
    sel.modify(event.shiftKey ? "extend" : "move", direction, granularity);
    if (!event.shiftKey) {
      selection = null;
      if (startInput) startInput.value = "";
      if (endInput) endInput.value = "";
      showCaret(root);
    }
  });

  // Turns nobody has coded yet (no highlight in their text), the facilitator's aside.
  function uncodedTurns() {
    return Array.from(transcript.querySelectorAll(".turn:not(.facilitator)")).filter(
      (turn) => !turn.querySelector(".turn-text .seg")
    );
  }

  function focusTurn(step) {
    const turns = uncodedTurns();
    if (!turns.length) return;
    const current = document.activeElement && document.activeElement.closest(".turn");
    const all = Array.from(transcript.querySelectorAll(".turn"));
    const here = current ? all.indexOf(current) : -1;
    const ordered = step > 0 ? turns : turns.slice().reverse();
    const next =
      ordered.find((turn) => (step > 0 ? all.indexOf(turn) > here : all.indexOf(turn) < here)) ||
      ordered[0];
    const text = next.querySelector(".turn-text");
    text.focus();
    next.scrollIntoView({ block: "center" });
  }

  // Keyboard, outside text fields: c filter, j/k uncoded turns, 1-9 tick a code, a apply, ? help.
  const shortcuts = document.getElementById("shortcuts");
  document.addEventListener("keydown", function (event) {
    const target = event.target;
    const typing = target.closest && target.closest("input, textarea, select, [contenteditable]");
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "c" && filter) {
      event.preventDefault();
      filter.focus();
    } else if (event.key === "j" || event.key === "k") {
      event.preventDefault();
      focusTurn(event.key === "j" ? 1 : -1);
    } else if (/^[1-9]$/.test(event.key)) {
      const option = document.querySelectorAll("#code-list .code-option")[Number(event.key) - 1];
      if (option) {
        event.preventDefault();
        const box = option.querySelector("input");
        box.checked = !box.checked;
      }
    } else if (event.key === "a" && applyForm) {
      event.preventDefault();
      applyForm.requestSubmit();
    } else if (event.key === "?" && shortcuts) {
      event.preventDefault();
      if (shortcuts.open) shortcuts.close();
      else shortcuts.showModal();
    }
  });

  // Type-ahead over the code list.
  function visibleOptions() {
    return Array.from(document.querySelectorAll("#code-list .code-option")).filter(
      (el) => !el.hidden
    );
  }
  if (filter) {
    filter.addEventListener("input", function () {
      const words = filter.value.trim().toLowerCase();
      document.querySelectorAll("#code-list .code-option").forEach(function (option) {
        option.hidden = Boolean(words) && !option.dataset.name.includes(words);
      });
    });
    filter.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      if (filter.value.trim()) {
        const first = visibleOptions()[0];
        if (first) first.querySelector("input").checked = true;
        filter.value = "";
        filter.dispatchEvent(new Event("input"));
      } else if (applyForm) {
        applyForm.requestSubmit();
      }
    });
  }

  // Forms that take the current selection ("Set span to selection").
  document.body.addEventListener("htmx:configRequest", function (event) {
    const form = event.detail.elt.closest && event.detail.elt.closest("form[data-use-selection]");
    if (!form) return;
    if (!selection) {
      event.preventDefault();
      const note = document.createElement("p");
      note.className = "error";
      note.setAttribute("role", "alert");
      note.textContent = "Select the new text in the transcript first, then press Set span.";
      form.after(note);
      return;
    }
    event.detail.parameters.start = String(selection.start);
    event.detail.parameters.end = String(selection.end);
  });

  // Validation errors come back as 422 with a message to show in the panel.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    const elt = event.detail.elt;
    if (!event.detail.successful || !elt) return;
    if (elt === applyForm || (elt.closest && elt.closest("form[data-use-selection], .turn-code"))) {
      clearSelection();
      if (applyForm) {
        applyForm.querySelectorAll("input[name=codes]").forEach((box) => (box.checked = false));
        const memo = applyForm.querySelector("textarea[name=memo]");
        if (memo) memo.value = "";
      }
    }
  });

  // The clicked codings' details: shown in the side panel, and scrolled into view there (the
  // panel sits below the code list and the Apply form).
  function openPanel(ids) {
    const coder = screen.dataset.coder || "";
    htmx
      .ajax("GET", panelUrl + "?ids=" + encodeURIComponent(ids) + "&coder=" + coder, {
        target: "#coding-panel",
      })
      .then(function () {
        const panel = document.getElementById("coding-panel");
        const first = panel && (panel.querySelector(".coding-card") || panel);
        if (first) first.scrollIntoView({ block: "start", behavior: "smooth" });
      });
  }

  // Click on a highlight (not a drag that selects text) or a margin bar opens its codings.
  transcript.addEventListener("click", function (event) {
    const bar = event.target.closest(".bar");
    if (bar) {
      event.preventDefault();
      openPanel(bar.id.replace("coding-", ""));
      return;
    }
    const segment = event.target.closest(".seg");
    if (!segment) return;
    const sel = window.getSelection();
    if (sel && !sel.isCollapsed) return;
    openPanel(segment.dataset.codings.replace(/ /g, ","));
  });

  function flash(codingId) {
    const bar = document.getElementById("coding-" + codingId);
    if (!bar) return;
    bar.closest(".turn").scrollIntoView({ block: "center" });
    const marked = transcript.querySelectorAll(".seg");
    marked.forEach(function (segment) {
      if (segment.dataset.codings.split(" ").includes(String(codingId))) {
        segment.classList.remove("flash");
        void segment.offsetWidth; // restart the animation
        segment.classList.add("flash");
      }
    });
    openPanel(String(codingId));
  }

  // A long transcript arrives in windows of turns: the one it was opened at, and placeholders
  // (.turn-window.pending) filled as they come within a screen or so of the viewport.
  function loadWindow(pending) {
    if (!pending.isConnected || pending.dataset.loading) return Promise.resolve();
    pending.dataset.loading = "1";
    return window.htmx.ajax("GET", pending.dataset.src, { target: pending, swap: "outerHTML" });
  }
  const pendingWindows = () => Array.from(transcript.querySelectorAll(".turn-window.pending"));
  if (window.htmx && window.IntersectionObserver) {
    const observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) return;
          observer.unobserve(entry.target);
          loadWindow(entry.target);
        });
      },
      { rootMargin: "1000px 0px" }
    );
    pendingWindows().forEach((pending) => observer.observe(pending));
  }

  // #coding-12 / #turn-5 in the URL: shown at once when its window is the one sent, else
  // after every window has been fetched (links inside the app say ?at= so this is rare).
  function flashFromHash() {
    const match = /^#(coding|turn)-(\d+)$/.exec(window.location.hash);
    if (!match) return;
    const show = function () {
      if (match[1] === "coding") flash(match[2]);
      else {
        const turn = document.getElementById("turn-" + match[2]);
        if (turn) turn.scrollIntoView({ block: "center" });
      }
    };
    if (document.getElementById(match[1] + "-" + match[2]) || !window.htmx) show();
    else Promise.all(pendingWindows().map(loadWindow)).then(show);
  }
  window.addEventListener("hashchange", flashFromHash);
  flashFromHash();

  // The coder selector switches view without a submit button.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
  document.querySelectorAll(".js-hide").forEach((el) => (el.hidden = true));
  // Live updates. Every 2 s the screen asks what other members changed since its last answer
  // (an indexed read of the audit log, no transcript text) and re-renders the turns they
  // touched, putting the analyst's own selection back afterwards. Polling rather than
  // server-sent events: a sync gunicorn worker held open per viewer would let three viewers
  // take every worker.
  const changesUrl = screen.dataset.changesUrl;
  let changesAfter = screen.dataset.changesAfter || "";
  let polling = false;

  // (text node, UTF-16 offset) at code point `target` inside a .turn-text.
  function pointIn(root, target) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let left = target;
    let last = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const size = codePoints(node.data);
      if (left <= size) return { node: node, offset: utf16Offset(node.data, left) };
      left -= size;
      last = node;
    }
    return last ? { node: last, offset: last.data.length } : { node: root, offset: 0 };
  }

  function turnTextAt(offset, isEnd) {
    for (const element of transcript.querySelectorAll(".turn-text")) {
      const start = Number(element.dataset.start);
      const end = Number(element.dataset.end);
      if (offset >= start && (offset < end || (isEnd && offset <= end))) return element;
    }
    return null;
  }

  function restoreSelection(saved) {
    if (!saved) return;
    const first = turnTextAt(saved.start, false);
    const last = turnTextAt(saved.end, true);
    if (!first || !last) return;
    const from = pointIn(first, saved.start - Number(first.dataset.start));
    const to = pointIn(last, saved.end - Number(last.dataset.start));
    const range = document.createRange();
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    selection = saved;
    showSelection();
  }

  function pollChanges() {
    if (polling || document.hidden) return;
    polling = true;
    fetch(changesUrl + "?after=" + encodeURIComponent(changesAfter), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => (response.ok ? response.json() : null))
      .then(function (data) {
        if (!data) return null;
        changesAfter = String(data.cursor);
        if (!data.spans.length || screen.dataset.coder === "me" || !window.htmx) return null;
        const start = Math.min(...data.spans.map((span) => span[0]));
        const end = Math.max(...data.spans.map((span) => span[1]));
        const current = window.getSelection();
        const saved = selection && current && !current.isCollapsed ? selection : null;
        const params = new URLSearchParams({ start: start, end: end, coder: screen.dataset.coder || "" });
        return window.htmx
          .ajax("GET", screen.dataset.turnsUrl + "?" + params, { swap: "none" })
          .then(() => restoreSelection(saved));
      })
      .catch(() => null)
      .finally(() => {
        polling = false;
      });
  }

  if (changesUrl && window.fetch) window.setInterval(pollChanges, 2000);
})();
