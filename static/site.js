// Progressive enhancement only: every page works without this script.
// On wide screens the table of contents sits beside the text, so keep it open there;
// on narrow screens it stays collapsed at the top until the reader opens it.
(function () {
  var toc = document.querySelector(".toc__details");
  if (!toc || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 64rem)");
  function sync() { toc.open = wide.matches; }
  sync();
  wide.addEventListener("change", sync);
})();
