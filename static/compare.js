// Filter of a question's page of the comparison: without JavaScript every answer is shown and the
// form stays hidden.
(function () {
  "use strict";
  var form = document.getElementById("compare-filters");
  if (!form) return;
  var byOrg = document.getElementById("filter-org");
  var status = document.getElementById("filter-status");
  form.hidden = false;
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  function apply() {
    var o = byOrg.value, shown = 0;
    document.querySelectorAll("li[data-org]").forEach(function (li) {
      li.hidden = !!o && li.dataset.org !== o;
      if (!li.hidden) shown += 1;
    });
    document.querySelectorAll(".answer-group").forEach(function (s) {
      s.hidden = !s.querySelector("li[data-org]:not([hidden])");
    });
    status.textContent = "表示中の回答: " + shown + "件";
  }
  byOrg.addEventListener("change", apply);
})();
