// The upload page: drop files on the zone, and list what was chosen before it is sent.
(function () {
  "use strict";
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("id_files");
  const list = document.getElementById("chosen");
  const warning = document.getElementById("too-big");
  const button = document.getElementById("upload-button");
  if (!zone || !input || !list) return;
  const limit = Number(input.dataset.maxBytes || 0);
  const most = Number(input.dataset.maxFiles || 0);

  // A file over the limit, or more files than one upload takes, are named before anything is
  // sent: the server would refuse them.
  function checkSizes() {
    const big = Array.from(input.files).filter((file) => limit && file.size > limit);
    const many = most && input.files.length > most;
    let text = "";
    if (many) {
      text = `${input.files.length} files are more than ${most} in one upload: upload them in ` +
        "parts, or as a zip of them.";
    } else if (big.length) {
      text = big.map((f) => f.name).join(", ") + (big.length === 1 ? " is" : " are") +
        " larger than " + input.dataset.maxLabel + " per file: leave " +
        (big.length === 1 ? "it" : "them") + " out or split " + (big.length === 1 ? "it" : "them") + ".";
    }
    if (warning) {
      warning.hidden = !text;
      warning.textContent = text;
    }
    if (button) button.disabled = Boolean(text);
  }

  function show() {
    checkSizes();
    list.replaceChildren(
      ...Array.from(input.files, function (file) {
        const item = document.createElement("li");
        item.textContent = `${file.name} (${Math.ceil(file.size / 1024)} KB)`;
        return item;
      })
    );
  }

  input.addEventListener("change", show);
  // Files chosen before this script ran (or kept by the browser on going back) are shown too.
  if (input.files && input.files.length) show();
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
