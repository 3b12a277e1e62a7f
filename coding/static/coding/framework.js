// The framework page's only script: drag a code onto another to reorder or nest it.
// Drop on the top third of a row: before it; the bottom third: after it; the middle: inside it,
// as its last sub-code. The server does the move (POST parent + position) and sends back the
// tree; the ↑ ↓ buttons and "Move" do the same without a mouse.
(function () {
  "use strict";

  let dragged = null;

  function rowOf(target) {
    return target && target.closest ? target.closest("li.code-row[draggable]") : null;
  }

  function zone(row, event) {
    const box = row.querySelector(".code-line").getBoundingClientRect();
    const y = (event.clientY - box.top) / Math.max(box.height, 1);
    return y < 1 / 3 ? "before" : y > 2 / 3 ? "after" : "into";
  }

  function clearMarks() {
    document.querySelectorAll(".drop-before, .drop-after, .drop-into").forEach(function (el) {
      el.classList.remove("drop-before", "drop-after", "drop-into");
    });
  }

  // Is `row` the dragged code or inside its subtree? (Rows come in tree order, deeper after.)
  function inSubtree(row) {
    if (!dragged) return false;
    if (row === dragged) return true;
    const depth = Number(dragged.getAttribute("aria-level"));
    for (let next = dragged.nextElementSibling; next; next = next.nextElementSibling) {
      if (Number(next.getAttribute("aria-level")) <= depth) return false;
      if (next === row) return true;
    }
    return false;
  }

  // Where the dragged code lands: its new parent and its place among the new siblings,
  // counted without the dragged code itself (as the server counts).
  function placement(row, where) {
    if (where === "into") return { parent: row.dataset.id, position: 1000000 };
    const parent = row.dataset.parent;
    let position = Number(row.dataset.position) + (where === "after" ? 1 : 0);
    if (dragged.dataset.parent === parent && Number(dragged.dataset.position) < position) {
      position -= 1;
    }
    return { parent: parent, position: position };
  }

  document.addEventListener("dragstart", function (event) {
    const row = rowOf(event.target);
    if (!row) return;
    dragged = row;
    row.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.code);
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearMarks();
  });

  document.addEventListener("dragover", function (event) {
    const row = rowOf(event.target);
    if (!dragged || !row || inSubtree(row)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearMarks();
    row.classList.add("drop-" + zone(row, event));
  });

  document.addEventListener("drop", function (event) {
    const row = rowOf(event.target);
    if (!dragged || !row || inSubtree(row)) return;
    event.preventDefault();
    const place = placement(row, zone(row, event));
    const url = dragged.dataset.placeUrl;
    clearMarks();
    window.htmx.ajax("POST", url, {
      target: "#framework",
      swap: "outerHTML",
      values: { parent: place.parent, position: String(place.position) },
    });
  });
})();
