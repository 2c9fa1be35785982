// Search page: Pagefind in the browser, with Japanese queries split the way the index is split.
//
// Pagefind's extended build splits Japanese text into words when it indexes (ガバメントクラウド is
// stored as ガバメント and クラウド, folded without dakuten), but it looks a query up as it is typed.
// The build writes the index's vocabulary; a query is split into the longest words of that
// vocabulary, searched for together, and pages that contain the whole phrase are listed first.
// Nothing leaves the browser: the index files are fetched from this site like any page.
//
// Citizens' words are bridged to the documents' (search/words.json, from the glossary and the entity
// aliases): a query holding マイナンバーカード is also searched as 個人番号カード, and a katakana word's
// trailing long vowel is folded (サーバー also finds サーバ). Pages with the form typed come first.
(function () {
  "use strict";

  var form = document.getElementById("search-form");
  if (!form) return;
  var script = document.currentScript;
  var root = new URL("../", script ? script.src : location.href);
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var past = document.getElementById("search-past");
  var sort = document.getElementById("search-sort");
  var controls = document.getElementById("filter-controls");
  var FILTERS = ["評価実施機関", "都道府県", "評価書の種類", "公表年", "状態"];
  var PAGE_SIZE = 10;
  var RERANK = 40;
  var JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ヵヶ]/;

  var pagefind = null;
  var vocabulary = null;
  var groups = [];
  var longest = 1;
  var shown = [];
  var showing = 0;
  var current = 0;

  form.hidden = false;

  function fold(text) {
    // as the index stores words: NFKC, lower case, no dakuten / handakuten or other marks
    return text.normalize("NFKC").toLowerCase().normalize("NFD")
      .replace(/[\u0300-\u036f\u3099\u309a]/g, "").normalize("NFC");
  }

  function letters(text) {
    return fold(text).replace(/[^\p{L}\p{N}]/gu, "");
  }

  // Split a query into the words the index holds: longest vocabulary match first, left to right.
  function segment(query) {
    var out = [];
    query.normalize("NFKC").split(/\s+/).forEach(function (chunk) {
      if (!chunk) return;
      if (!JAPANESE.test(chunk)) { out.push(chunk); return; }
      var chars = Array.from(chunk);
      var folded = chars.map(fold);
      var i = 0;
      while (i < chars.length) {
        var j = Math.min(chars.length, i + longest);
        while (j > i + 1 && !vocabulary.has(folded.slice(i, j).join(""))) j -= 1;
        if (j === i + 1 && !vocabulary.has(folded[i]) && /[A-Za-z0-9]/.test(folded[i])) {
          // an unknown run of Latin letters or digits stays whole (富士通Japan → 富士通 Japan)
          while (j < chars.length && /[A-Za-z0-9]/.test(folded[j])) j += 1;
        }
        var word = chars.slice(i, j).join("");
        if (/[\p{L}\p{N}]/u.test(word)) out.push(word);
        i = j;
      }
    });
    return out;
  }

  // A looser split for pages whose text was split differently around the query (the index splits by
  // context: 富士通Japan is 富士/通/japan on one page, 富士通 on another). Each word is cut to its longest
  // shorter word of the vocabulary; every search word also matches longer words that start with it.
  function loosen(terms) {
    var out = [];
    terms.forEach(function (term) {
      var chars = Array.from(term);
      var folded = chars.map(fold);
      var i = 0;
      while (i < chars.length) {
        var rest = chars.length - i;
        if (rest < 2) break; // a single trailing character is dropped: the previous word already matches it by prefix
        var limit = i === 0 ? rest - 1 : rest;
        var j = i + Math.min(limit, longest);
        while (j > i + 2 && !vocabulary.has(folded.slice(i, j).join(""))) j -= 1;
        if (j <= i + 1 || (j === i + 2 && !vocabulary.has(folded.slice(i, j).join("")))) {
          if (i === 0) out.push(term);
          break;
        }
        out.push(chars.slice(i, j).join(""));
        i = j;
      }
    });
    return out;
  }

  // as search/words.json's forms are compared: NFKC, lower case, a katakana word's trailing long vowel dropped
  function foldWord(text) {
    return text.normalize("NFKC").toLowerCase().replace(/(?<=[\u30a1-\u30fa])ー(?![\u30a1-\u30faー])/g, "");
  }

  function findWord(text, key) {
    var at = text.indexOf(key);
    while (at !== -1 && /^[a-z0-9-]+$/.test(key) &&
           (/[a-z0-9]/.test(text.charAt(at - 1)) || /[a-z0-9]/.test(text.charAt(at + key.length)))) {
      at = text.indexOf(key, at + 1); // a Latin abbreviation only as a whole word (NEC, not NECESSARY)
    }
    return at;
  }

  // The queries to run for what was typed: itself, with long vowels folded, and with the longest word
  // of a group (glossary variants, aliases) replaced by each other way of writing it.
  function bridge(query) {
    var typed = query.trim().normalize("NFKC");
    var base = foldWord(typed);
    var found = null;
    groups.forEach(function (g) {
      g.keys.forEach(function (key, i) {
        if (!key || (found && key.length <= found.key.length)) return;
        var at = findWord(base, key);
        if (at !== -1) found = { group: g, key: key, at: at, form: g.forms[i] };
      });
    });
    var alternatives = [typed];
    var others = [];
    if (base !== typed.toLowerCase()) alternatives.push(base);
    if (found) {
      found.group.keys.forEach(function (key, i) {
        var q = base.slice(0, found.at) + key + base.slice(found.at + found.key.length);
        if (key === found.key || alternatives.indexOf(q) !== -1) return;
        alternatives.push(q);
        others.push(found.group.forms[i]);
      });
    }
    return { typed: typed, base: base, alternatives: alternatives, found: others.length ? found : null, others: others };
  }

  // What the status line says about the other ways of writing that were searched too.
  function bridgeNote(b) {
    if (b.found) {
      var g = b.found.group;
      if (g.main && foldWord(g.main) !== b.found.key) {
        return "「" + b.found.form + "」は評価書では主に「" + g.main + "」と書かれています。両方を検索しました。";
      }
      if (g.main) return ""; // the documents' own word: its other forms are searched too, without a note
      return "「" + b.found.form + "」と同じものを指す" + b.others.map(function (f) { return "「" + f + "」"; }).join("") +
        "も検索しました。";
    }
    if (b.alternatives.length > 1) return "「" + b.typed + "」は「" + b.base + "」とも書かれます。両方を検索しました。";
    return "";
  }

  // Search every way of writing the query; results of the typed form first, each once.
  function searchBridged(bridged, options) {
    return Promise.all(bridged.alternatives.map(function (q) { return searchAll(q, options); })).then(function (all) {
      var seen = {};
      var results = [];
      all.forEach(function (found) {
        found.results.forEach(function (r) {
          if (!seen[r.id]) { seen[r.id] = true; results.push(r); }
        });
      });
      return { results: results, terms: all.map(function (found) { return found.terms; }) };
    });
  }

  function searchAll(query, options) {
    var strict = segment(query);
    var loose = loosen(strict);
    var searches = [pagefind.search(strict.join(" "), options)];
    if (loose.length && loose.join(" ") !== strict.join(" ")) searches.push(pagefind.search(loose.join(" "), options));
    return Promise.all(searches).then(function (found) {
      var seen = {};
      var results = [];
      found.forEach(function (f) {
        f.results.forEach(function (r) {
          if (!seen[r.id]) { seen[r.id] = true; results.push(r); }
        });
      });
      return { results: results, terms: strict };
    });
  }

  var loading = null;

  function load() {
    if (!loading) loading = start();
    return loading;
  }

  // long documents are the point of this site: do not let page length bury them under short pages
  var OPTIONS = { baseUrl: root.pathname, excerptLength: 50, ranking: { pageLength: 0.1 } };

  function json(path) {
    return fetch(new URL(path, root)).then(function (r) { return r.json(); });
  }

  function start() {
    return Promise.all([
      import(new URL("pagefind/pagefind.js", root).href),
      json("pagefind/vocabulary.json"),
      json("search/words.json").catch(function () { return { groups: [] }; })
    ]).then(function (loaded) {
      pagefind = loaded[0];
      groups = loaded[2].groups.map(function (g) {
        return { forms: g.forms, main: g.main, keys: g.forms.map(foldWord) };
      });
      vocabulary = new Set(loaded[1]);
      loaded[1].forEach(function (w) { longest = Math.max(longest, Array.from(w).length); });
      return pagefind.options(OPTIONS);
    });
  }

  function buildFilters(available) {
    var params = new URLSearchParams(location.search);
    FILTERS.forEach(function (name, index) {
      var values = Object.keys(available[name] || {}).sort();
      if (!values.length) return;
      var row = document.createElement("div");
      row.className = "search-form__row";
      var label = document.createElement("label");
      label.htmlFor = "filter-" + index;
      label.textContent = name;
      var select = document.createElement("select");
      select.id = "filter-" + index;
      select.name = name;
      select.dataset.filter = name;
      var all = document.createElement("option");
      all.value = "";
      all.textContent = "すべて";
      select.appendChild(all);
      values.forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = value;
        select.appendChild(option);
      });
      select.value = params.get(name) || "";
      select.addEventListener("change", run);
      row.appendChild(label);
      row.appendChild(select);
      controls.appendChild(row);
    });
  }

  function activeFilters() {
    var filters = {};
    var params = new URLSearchParams(location.search);
    if (!controls.querySelector("select")) {
      // the filters' choices are not loaded yet (loadFilters): those of the URL apply
      FILTERS.forEach(function (name) { if (params.get(name)) filters[name] = params.get(name); });
    }
    controls.querySelectorAll("select").forEach(function (s) {
      if (s.value) filters[s.dataset.filter] = s.value;
    });
    if (!past.checked) filters["版"] = "最新の版";
    return filters;
  }

  function remember(query) {
    var params = new URLSearchParams();
    if (query) params.set("q", query);
    var before = new URLSearchParams(location.search);
    if (!controls.querySelector("select")) {
      FILTERS.forEach(function (name) { if (before.get(name)) params.set(name, before.get(name)); }); // not loaded yet
    }
    controls.querySelectorAll("select").forEach(function (s) { if (s.value) params.set(s.name, s.value); });
    if (past.checked) params.set("past", "1");
    if (sort.value) params.set("sort", sort.value);
    history.replaceState(null, "", "?" + params.toString());
  }

  function run() {
    var query = input.value.trim();
    remember(query);
    var ticket = ++current;
    list.textContent = "";
    more.hidden = true;
    if (!query) { status.textContent = "検索する言葉を入力してください。"; return; }
    status.textContent = "検索しています…";
    var bridged = null;
    shown = [];
    showing = 0;
    var phrase = letters(query);
    load().then(function () {
      var options = { filters: activeFilters() };
      if (sort.value) options.sort = { date: sort.value };
      bridged = bridge(query);
      return searchBridged(bridged, options);
    }).then(function (search) {
      var phrases = bridged.alternatives.map(letters).filter(Boolean);
      var needed = search.terms.map(function (terms) { return terms.map(letters).filter(Boolean); });
      // Pagefind drops a word it does not know and still answers for the others: keep only pages that
      // hold every word of the query (as typed, or as one of its other ways of writing). Unless sorted by
      // date, pages holding the phrase as typed come first, then those holding another way of writing it,
      // then the rest, each group in the index's order.
      function judge(d) {
        var text = letters(d.content);
        var typed = text.indexOf(phrase) !== -1;
        var x = { data: d, phrase: typed || phrases.some(function (p) { return text.indexOf(p) !== -1; }) };
        var all = needed.some(function (words) { return words.every(function (w) { return text.indexOf(w) !== -1; }); });
        x.group = !all ? -1 : (sort.value || typed ? 0 : (x.phrase ? 1 : 2));
        return x;
      }
      return rerank(search.results, judge, function (x) {
        if (ticket !== current) return;
        shown.push(x);
        if (showing < PAGE_SIZE) { list.appendChild(render(x.data, phrase)); showing += 1; }
      });
    }).then(function (ranked) {
      if (ticket !== current) return;
      var exact = ranked.judged.filter(function (x) { return x.phrase && x.group >= 0; }).length;
      shown = ranked.items;
      if (!ranked.items.length) {
        status.textContent = bridgeNote(bridged) + "「" + query + "」を含む評価書は見つかりませんでした。";
        list.appendChild(emptyState());
        return;
      }
      status.textContent = bridgeNote(bridged) + "「" + query + "」の検索結果: " + ranked.items.length + "件" +
        (exact ? "" : "(言葉どおりに一致する箇所はなく、言葉を分けて探した結果です)");
      if (showing < PAGE_SIZE) showMore(phrase, PAGE_SIZE - showing);
      else more.hidden = showing >= shown.length;
    }).catch(function () {
      if (ticket !== current) return;
      status.textContent = "検索できませんでした。ページを読み込み直してください。";
    }).then(loadFilters);
  }

  // --- When the fragments load: rerank as they arrive, show each result once its place is certain ---

  var FRAGMENTS = 4; // fragments fetched at once: few, so that the first of them arrives early

  // Fetch the fragments of the first RERANK results in the index's order, FRAGMENTS at a time, and
  // judge each (judge(data) returns an object whose `group` orders it: 0 first, then 1, …; below 0
  // drops it). A result of group 0 is handed to `emit` as soon as every result above it is judged, so
  // the first results show while the later fragments load; the others follow once all are judged,
  // then the results beyond RERANK unjudged. Resolves to {items: every result in its final order
  // (what emit was given first), judged: the judged results}.
  function rerank(results, judge, emit) {
    var head = results.slice(0, RERANK);
    var judged = new Array(head.length);
    var next = 0;
    var placed = 0;
    var items = [];
    function place() {
      while (placed < head.length && judged[placed]) {
        if (judged[placed].group === 0) { items.push(judged[placed]); emit(judged[placed]); }
        placed += 1;
      }
    }
    function fetchOne() {
      var i = next++;
      return head[i].data().then(function (d) { judged[i] = judge(d); place(); });
    }
    function fetchRest() {
      return next < head.length ? fetchOne().then(fetchRest) : Promise.resolve();
    }
    // the first fragment alone, so that it has the connection to itself; then FRAGMENTS at a time
    var first = head.length ? fetchOne() : Promise.resolve();
    return first.then(function () {
      var lanes = [];
      for (var w = 0; w < FRAGMENTS; w++) lanes.push(fetchRest());
      return Promise.all(lanes);
    }).then(function () {
      var groups = judged.map(function (x) { return x.group; }).filter(function (g) { return g > 0; });
      var last = Math.max.apply(null, [0].concat(groups));
      for (var g = 1; g <= last; g++) {
        judged.forEach(function (x) { if (x.group === g) { items.push(x); emit(x); } });
      }
      results.slice(RERANK).forEach(function (r) { items.push({ result: r, phrase: false }); });
      return { items: items, judged: judged };
    });
  }

  // The filters' choices load after the first results (Pagefind fetches every filter of every bundle
  // for them), or at once when the page opens without a query; until then the URL's choices apply.
  var filtersLoading = null;

  function loadFilters() {
    if (!filtersLoading) filtersLoading = load().then(function () { return pagefind.filters(); }).then(buildFilters);
    return filtersLoading;
  }

  function emptyState() {
    var li = document.createElement("li");
    li.className = "search-empty";
    li.innerHTML = "<p>次の方法もお試しください。</p><ul>" +
      "<li>言葉を短くする、または別の言い方にする(例: マイナンバーカード → 個人番号カード)</li>" +
      "<li>絞り込みを「すべて」に戻す、「過去の版も検索する」を選ぶ</li>" +
      "<li><a href=\"" + root.href + "\">評価書の一覧</a>や<a href=\"" + new URL("entities/", root).href +
      "\">システム・委託先などの一覧</a>から探す</li></ul>";
    return li;
  }

  function showMore(phrase, count) {
    var batch = shown.slice(showing, showing + (count || PAGE_SIZE));
    showing += batch.length;
    Promise.all(batch.map(function (x) { return x.data ? x.data : x.result.data(); })).then(function (data) {
      data.forEach(function (d) { list.appendChild(render(d, phrase)); });
      more.hidden = showing >= shown.length;
    });
  }

  function bestSection(d, phrase) {
    var subs = d.sub_results || [];
    var withPhrase = subs.filter(function (s) { return letters(s.excerpt.replace(/<[^>]+>/g, "")).indexOf(phrase) !== -1; });
    if (withPhrase.length) return withPhrase[0];
    return subs.slice().sort(function (a, b) { return (b.locations || []).length - (a.locations || []).length; })[0];
  }

  function render(d, phrase) {
    var sub = bestSection(d, phrase);
    var li = document.createElement("li");
    li.className = "search-result";
    var h = document.createElement("h2");
    h.className = "search-result__title";
    var a = document.createElement("a");
    a.href = sub ? sub.url : d.url;
    a.textContent = d.meta.title || d.url;
    h.appendChild(a);
    li.appendChild(h);
    var meta = document.createElement("p");
    meta.className = "search-result__meta";
    meta.textContent = [d.meta.org, d.meta.kind, d.meta.published ? (d.meta.date_label || "公表日") + " " + d.meta.published : ""].filter(Boolean).join(" ・ ");
    if (d.meta.type) {
      // a page of the site (glossary, guide, names, laws, comparison), not an assessment: say which
      var type = document.createElement("span");
      type.className = "search-result__type tag";
      type.textContent = d.meta.type;
      meta.textContent = d.meta.type === d.meta.kind ? "" : " " + meta.textContent;
      meta.insertBefore(type, meta.firstChild);
    }
    li.appendChild(meta);
    if (sub && sub.title && sub.title !== d.meta.title) {
      var section = document.createElement("p");
      section.className = "search-result__section";
      section.textContent = "該当箇所: " + sub.title;
      li.appendChild(section);
    }
    var excerpt = document.createElement("p");
    excerpt.className = "search-result__excerpt";
    excerpt.innerHTML = (sub || d).excerpt; // Pagefind escapes the text and marks the match with <mark>
    li.appendChild(excerpt);
    return li;
  }

  // for the tests and for curious readers: how a query is split
  window.piaSearch = {
    segment: function (q) { return load().then(function () { return [segment(q), loosen(segment(q))]; }); },
    bridge: function (q) { return load().then(function () { return bridge(q).alternatives; }); },
  };

  form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
  past.addEventListener("change", run);
  sort.addEventListener("change", run);
  more.addEventListener("click", function () { showMore(letters(input.value)); });

  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  past.checked = params.get("past") === "1";
  sort.value = params.get("sort") || "";
  if (input.value) {
    run();
  } else {
    loadFilters();
  }
})();
