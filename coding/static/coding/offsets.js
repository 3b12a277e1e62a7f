// Offsets between the browser and the server. The browser counts UTF-16 code units (a string's
// .length, a Range's offsets); the server counts Unicode code points (DESIGN.md: "Text and
// offsets"). An emoji outside the Basic Multilingual Plane is 2 units but 1 code point; a
// combining accent is its own code point either way. Pure functions, tested with `node --test`.
(function (root, factory) {
  const api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.CodingOffsets = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  function isHighSurrogate(unit) {
    return unit >= 0xd800 && unit <= 0xdbff;
  }

  function isLowSurrogate(unit) {
    return unit >= 0xdc00 && unit <= 0xdfff;
  }

  // How many code points the string holds.
  function codePoints(text) {
    let count = 0;
    for (let i = 0; i < text.length; i++) {
      if (!(isLowSurrogate(text.charCodeAt(i)) && i > 0 && isHighSurrogate(text.charCodeAt(i - 1)))) {
        count++;
      }
    }
    return count;
  }

  // The code-point offset of a UTF-16 offset into `text`. An offset between the two halves of a
  // surrogate pair (which no real selection makes) counts the half character as not reached.
  function codePointOffset(text, utf16Offset) {
    const end = Math.max(0, Math.min(utf16Offset, text.length));
    let count = codePoints(text.slice(0, end));
    if (end > 0 && end < text.length && isHighSurrogate(text.charCodeAt(end - 1)) &&
        isLowSurrogate(text.charCodeAt(end))) {
      count--;
    }
    return count;
  }

  // The UTF-16 offset of a code-point offset into `text` (for placing a selection the server
  // named). Past the end it stops at the end.
  function utf16Offset(text, codePointOffsetValue) {
    let units = 0;
    let points = 0;
    while (units < text.length && points < codePointOffsetValue) {
      const pair = isHighSurrogate(text.charCodeAt(units)) && units + 1 < text.length &&
        isLowSurrogate(text.charCodeAt(units + 1));
      units += pair ? 2 : 1;
      points++;
    }
    return units;
  }

  return { codePoints, codePointOffset, utf16Offset };
});
