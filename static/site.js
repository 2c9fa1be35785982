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
// 「目次へ戻る」 and any link into a closed <details> (the 目次 on narrow screens): open it before the jump.
// Chromium opens it by itself when the target is inside; this covers browsers that do not.
(function () {
  function openAround(id) {
    var target = id && document.getElementById(id);
    for (var el = target; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    if (link) openAround(decodeURIComponent(link.getAttribute("href").slice(1)));
  });
  window.addEventListener("hashchange", function () { openAround(decodeURIComponent(location.hash.slice(1))); });
  if (location.hash) openAround(decodeURIComponent(location.hash.slice(1)));
})();
