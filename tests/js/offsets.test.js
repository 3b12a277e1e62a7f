// node --test tests/js/ (make lint): the coding screen's offset arithmetic, without a browser.
const test = require("node:test");
const assert = require("node:assert/strict");
const { codePoints, codePointOffset, utf16Offset } = require("../../coding/static/coding/offsets.js");

test("plain text counts the same in both units", () => {
  assert.equal(codePoints("Definitely letter."), 18);
  assert.equal(codePointOffset("Definitely letter.", 10), 10);
  assert.equal(utf16Offset("Definitely letter.", 10), 10);
});

test("an emoji outside the BMP is two UTF-16 units but one code point", () => {
  const text = "Good 👍 service";
  assert.equal(text.length, 15);
  assert.equal(codePoints(text), 14);
  assert.equal(codePointOffset(text, text.indexOf("service")), 7);
  assert.equal(utf16Offset(text, 7), text.indexOf("service"));
});

test("a skin-tone emoji is two code points, four units", () => {
  const text = "👍🏽 was great,";
  assert.equal(codePoints(text), 13);
  assert.equal(codePointOffset(text, 4), 2);
  assert.equal(utf16Offset(text, 2), 4);
});

test("a combining accent is one code point in both units", () => {
  const text = "cafe\u0301 au lait"; // e + COMBINING ACUTE ACCENT
  assert.equal(codePoints(text), text.length);
  assert.equal(codePointOffset(text, 5), 5);
});

test("an offset inside a surrogate pair does not count the half character", () => {
  const text = "a😀b";
  assert.equal(codePointOffset(text, 2), 1);
  assert.equal(codePointOffset(text, 3), 2);
});

test("offsets past either end are clamped", () => {
  assert.equal(codePointOffset("ab😀", 99), 3);
  assert.equal(codePointOffset("ab", -4), 0);
  assert.equal(utf16Offset("ab😀", 99), 4);
});

test("the two conversions are inverse on every character boundary", () => {
  const text = "Ž👨‍👩‍👧 ok 🇬🇧 e\u0301";
  for (let points = 0; points <= codePoints(text); points++) {
    assert.equal(codePointOffset(text, utf16Offset(text, points)), points);
  }
});
