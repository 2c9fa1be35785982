// Filters of the comparison page: without JavaScript every answer is shown and the form stays hidden.
(function () {
  "use strict";
  var form = document.getElementById("compare-filters");
  if (!form) return;
  var byForm = document.getElementById("filter-form");
  var byOrg = document.getElementById("filter-org");
  var status = document.getElementById("filter-status");
  form.hidden = false;
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  function apply() {
    var f = byForm.value, o = byOrg.value, shown = 0;
    document.querySelectorAll("[data-org]").forEach(function (li) {
      var visible = (!f || li.dataset.form === f) && (!o || li.dataset.org === o);
      li.hidden = !visible;
      if (visible && li.closest(".question")) shown += 1;
    });
    document.querySelectorAll(".question, .compare-form").forEach(function (s) {
      s.hidden = !s.querySelector("li[data-org]:not([hidden])");
    });
    status.textContent = "表示中の回答: " + shown + "件";
  }
  byForm.addEventListener("change", apply);
  byOrg.addEventListener("change", apply);
})();
