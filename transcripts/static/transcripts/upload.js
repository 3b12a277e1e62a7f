// The upload page: drop files on the zone, and list what was chosen before it is sent.
(function () {
  "use strict";
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("id_files");
  const list = document.getElementById("chosen");
  if (!zone || !input || !list) return;

  function show() {
    list.replaceChildren(
      ...Array.from(input.files, function (file) {
        const item = document.createElement("li");
        item.textContent = `${file.name} (${Math.ceil(file.size / 1024)} KB)`;
        return item;
      })
    );
  }

  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("over");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () {
      zone.classList.remove("over");
    });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    input.files = event.dataTransfer.files;
    show();
  });
})();
