// Pseudonymise page: selecting words in a context fills "Add a missed identifier".
(function () {
  "use strict";
  document.addEventListener("mouseup", function () {
    var form = document.getElementById("identifier-add");
    var selection = window.getSelection();
    if (!form || !selection || selection.isCollapsed) return;
    var node = selection.anchorNode && selection.anchorNode.parentElement;
    if (!node || !node.closest(".context")) return;
    var words = selection.toString().replace(/\s+/g, " ").trim();
    if (words.length < 2 || words.length > 200) return;
    var input = form.querySelector('input[name="text"]');
    input.value = words;
    input.focus();
  });
})();
