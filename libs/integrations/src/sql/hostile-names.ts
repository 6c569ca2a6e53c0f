/** Names that must survive quoting and catalogs unchanged; shared by integration tests. */
export const HOSTILE_NAMES = [
  'Robert"; DROP TABLE users; --',
  "semi;colon",
  "UPPER Case",
  "ünïcødé_名前",
  'quote"inside""twice',
  "back\\slash",
  "it's",
  "$1",
  "a".repeat(63),
  "é".repeat(31), // 62 bytes
  "emoji😀",
  " leading space",
  "public",
];
