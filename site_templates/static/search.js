/* Portal search: facets browse docs.json as soon as it arrives; full text once the lunr index does.
 *
 * Data (written by builder/index.py):
 *   search/docs.json  columns: id, title, approved (YYYYMMDD), thumb {prefix, suffix, values},
 *                     facets [{name, title, labels [[value, label]], multi, values}] (label codes)
 *   search/index.json the lunr.py index, packed; unpack() rebuilds exactly the lunr.Index lunr.py built
 *   search/docs.js, search/index.js  the same data as scripts, for pages opened from a local folder
 *
 * Query (the Python twin is builder/index.py:search; tests check the two agree):
 *   every word must match: as its exact stem (boost 10), as a prefix (boost 2, words of two letters
 *   or more), by one typo (boost 1, words of four letters or more), or, when none of those match,
 *   by an indexed stem it starts with (boost 1); lunr scores the matches. The user's text never reaches
 *   lunr's query parser, so ':', '^', '~', '*' and '+' are just separators.
 *
 * Catalogue text is only ever inserted with textContent / createElement.
 */
(function () {
  'use strict';

  const EXACT_BOOST = 10;
  const PREFIX_BOOST = 2;
  const FUZZY_BOOST = 1;
  const FUZZY_MIN_LENGTH = 4;
  const PREFIX_MIN_LENGTH = 2;

  // ------------------------------------------------------------------------------------------
  // Text and query: keep in step with builder/index.py
  // ------------------------------------------------------------------------------------------

  const MARKS = /\p{M}/gu;
  const NOT_BMP = /[\u{10000}-\u{10FFFF}]/gu;
  const WORD = /[\p{L}\p{N}]+/gu;

  function words(text) {
    if (!text) return [];
    const folded = String(text).toLowerCase().replace(/\u03c2/g, '\u03c3').normalize('NFKD').replace(MARKS, '');
    return folded.replace(NOT_BMP, ' ').match(WORD) || [];
  }

  function queryWords(lunr, text) {
    const found = Array.from(new Set(words(text)));
    const kept = found.filter((word) => lunr.stopWordFilter(new lunr.Token(word)) !== undefined);
    return kept.length ? kept : found;
  }

  function expand(lunr, index, word) {
    const stems = index.pipeline.runString(word);
    const stem = stems.length ? stems[0] : word;
    const found = new Map();
    const add = (terms, boost) => {
      for (const term of terms) found.set(term, Math.max(found.get(term) || 0, boost));
    };
    if (word.length >= PREFIX_MIN_LENGTH) {
      add(index.tokenSet.intersect(lunr.TokenSet.fromString(word + '*')).toArray(), PREFIX_BOOST);
    }
    if (stem in index.invertedIndex) add([stem], EXACT_BOOST);
    if (stem.length >= FUZZY_MIN_LENGTH) {
      add(index.tokenSet.intersect(lunr.TokenSet.fromFuzzyString(stem, 1)).toArray(), FUZZY_BOOST);
    }
    if (!found.size) {
      // Typed part-way past its stem ("sustainab" of "sustainability", indexed as "sustain").
      for (let end = Math.max(FUZZY_MIN_LENGTH, Math.ceil(word.length / 2)); end < word.length; end++) {
        if (word.slice(0, end) in index.invertedIndex) add([word.slice(0, end)], FUZZY_BOOST);
      }
    }
    return found;
  }

  function refsOf(index, terms) {
    const refs = new Set();
    for (const term of terms.keys()) {
      const posting = index.invertedIndex[term];
      for (const field of index.fields) {
        for (const ref in posting[field]) refs.add(ref);
      }
    }
    return refs;
  }

  /** [[ref, score], ...] best first; a document must match every word of the query. */
  function search(lunr, index, text) {
    const expansions = queryWords(lunr, text).map((word) => expand(lunr, index, word));
    if (!expansions.length || expansions.some((terms) => terms.size === 0)) return [];
    let allowed = null;
    for (const terms of expansions) {
      const refs = refsOf(index, terms);
      allowed = allowed === null ? refs : new Set([...allowed].filter((ref) => refs.has(ref)));
    }
    const boosts = new Map();
    for (const terms of expansions) {
      for (const [term, boost] of terms) boosts.set(term, (boosts.get(term) || 0) + boost);
    }
    const ordered = Array.from(boosts.keys()).sort();
    const results = index.query((query) => {
      for (const term of ordered) query.term(term, { usePipeline: false, boost: boosts.get(term) });
    });
    return results
      .filter((result) => allowed.has(result.ref))
      .map((result) => [result.ref, result.score])
      .sort((a, b) => b[1] - a[1] || parseInt(a[0], 36) - parseInt(b[0], 36));
  }

  // ------------------------------------------------------------------------------------------
  // The packed index -> lunr.Index (same arithmetic as builder/index.py:unpack_index)
  // ------------------------------------------------------------------------------------------

  /** Python's round(x, 3): correctly rounded, ties to even (ties are exactly the odd sixteenths). */
  function round3(x) {
    const thousandths = x * 1000;
    const fraction = thousandths - Math.floor(thousandths);
    if (Math.abs(fraction - 0.5) > 1e-6) return Math.round(thousandths) / 1000; // clearly not a tie
    const sixteenths = x * 16;
    if (Number.isInteger(sixteenths) && Math.abs(sixteenths % 2) === 1) {
      const lower = Math.floor(x * 1000);
      return (lower % 2 === 0 ? lower : lower + 1) / 1000;
    }
    return Number(x.toFixed(3));
  }

  function unpack(lunr, packed) {
    const { fields, boosts, count, k1, b, terms } = packed;
    const idfOf = new Map(packed.idf);
    const refs = Array.from({ length: count }, (_, i) => i.toString(36));
    const frequencies = new Uint32Array(terms.length);
    const decoded = fields.map((field, f) => packed.postings[f].map((encoded, t) => {
      const found = [];
      let position = 0;
      let tf = 1;
      for (const number of encoded) {
        if (number < 0) { tf = -number; continue; }
        position += number;
        found.push(position, tf);
        tf = 1;
      }
      frequencies[t] += found.length / 2;
      return found;
    }));
    // Field vectors: count each document field's terms first, then fill arrays of the right size.
    const sizes = fields.map(() => new Uint32Array(count));
    decoded.forEach((perTerm, f) => {
      for (const found of perTerm) for (let i = 0; i < found.length; i += 2) sizes[f][found[i]] += 2;
    });
    const elements = sizes.map((perDoc) => Array.from(perDoc, (size) => new Array(size)));
    const filled = fields.map(() => new Uint32Array(count));
    fields.forEach((field, f) => {
      const lengths = packed.lengths[f];
      let total = 0;
      for (const length of lengths) total += length;
      const average = count ? total / count : 0;
      decoded[f].forEach((found, t) => {
        const idf = idfOf.get(frequencies[t]) || 0;
        for (let i = 0; i < found.length; i += 2) {
          const position = found[i];
          const tf = found[i + 1];
          let score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (lengths[position] / average)) + tf);
          score *= boosts[f];
          const at = filled[f][position];
          elements[f][position][at] = t;
          elements[f][position][at + 1] = round3(score);
          filled[f][position] = at + 2;
        }
      });
    });
    const fieldVectors = Object.create(null);
    for (let position = 0; position < count; position++) {
      fields.forEach((field, f) => {
        fieldVectors[field + '/' + refs[position]] = new lunr.Vector(elements[f][position]);
      });
    }
    // Postings (term -> field -> {ref: metadata}) are built the first time a query touches a term.
    const empty = Object.freeze({});
    const invertedIndex = Object.create(null);
    terms.forEach((term, t) => {
      Object.defineProperty(invertedIndex, term, {
        configurable: true,
        enumerable: true,
        get() {
          const posting = { _index: t };
          fields.forEach((field, f) => {
            const documents = {};
            const found = decoded[f][t];
            for (let i = 0; i < found.length; i += 2) documents[refs[found[i]]] = empty;
            posting[field] = documents;
          });
          Object.defineProperty(invertedIndex, term, { value: posting, enumerable: true, writable: true });
          return posting;
        },
      });
    });
    const builder = new lunr.TokenSet.Builder();
    for (const term of terms.slice().sort()) builder.insert(term);
    builder.finish();
    return new lunr.Index({
      invertedIndex,
      fieldVectors,
      tokenSet: builder.root,
      fields: fields.slice(),
      pipeline: lunr.Pipeline.load(packed.pipeline),
    });
  }

  const core = { words, queryWords, expand, search, unpack, round3 };
  if (typeof module === 'object' && module.exports) {
    module.exports = core; // Node: tests/node/*.js
    return;
  }
  window.DamSearch = core;

  // ------------------------------------------------------------------------------------------
  // The page
  // ------------------------------------------------------------------------------------------

  const root = document.getElementById('dam-search');
  if (!root) return;
  try { performance.mark('dam-script-start'); } catch (e) { /* old browsers */ }
  const cfg = root.dataset;
  const input = document.getElementById('dam-q');
  const sortSelect = document.getElementById('dam-sort');
  const facetsEl = document.getElementById('dam-facets');
  const resultsEl = document.getElementById('dam-results');
  const statusEl = document.getElementById('dam-status');
  const moreButton = document.getElementById('dam-more');
  const clearButton = document.getElementById('dam-clear');
  const home = (cfg.home || 'index.html').replace(/index\.html$/, '');
  const PAGE = 48;
  const FACET_LIMIT = 8;
  const SORTS = ['relevance', 'newest', 'title'];
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined);

  const state = { q: '', sort: 'relevance', selected: new Map(), shown: PAGE };
  let docs = null;
  let facets = [];
  let lunrIndex = null;
  let titleRank = null;
  let newestRank = null;
  let fallbackWords = null;
  let results = [];
  let firstResultsMarked = false;

  const mark = (name) => { try { performance.mark(name); } catch (e) { /* old browsers */ } };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.async = true;
      script.onload = resolve;
      script.onerror = () => reject(new Error('could not load ' + src));
      document.head.appendChild(script);
    });
  }

  function loadGlobal(scriptUrl, globalName) {
    return window[globalName] ? Promise.resolve(window[globalName]) : loadScript(scriptUrl).then(() => window[globalName]);
  }

  /** The text of a JSON file, or null where fetch() cannot be used (file://) or fails. */
  function fetchText(url, priority) {
    if (location.protocol === 'file:') return Promise.resolve(null);
    return fetch(url, { priority })
      .then((response) => {
        if (!response.ok) throw new Error(response.status + ' ' + url);
        return response.text();
      })
      .catch(() => null);
  }

  // --- state <-> URL ---------------------------------------------------------------------

  function readUrl() {
    const params = new URLSearchParams(location.search);
    state.q = params.get('q') || '';
    state.sort = SORTS.includes(params.get('sort')) ? params.get('sort') : 'relevance';
    state.selected = new Map();
    for (const facet of facets) {
      const codes = new Set();
      for (const value of params.getAll(facet.name)) {
        if (facet.codeOf.has(value)) codes.add(facet.codeOf.get(value));
      }
      state.selected.set(facet.name, codes);
    }
  }

  function writeUrl() {
    const params = new URLSearchParams();
    if (state.q.trim()) params.set('q', state.q.trim());
    for (const facet of facets) {
      for (const code of Array.from(state.selected.get(facet.name)).sort((a, b) => a - b)) {
        params.append(facet.name, facet.labels[code][0]);
      }
    }
    if (state.sort !== 'relevance') params.set('sort', state.sort);
    const query = params.toString();
    const url = location.pathname + (query ? '?' + query : '') + location.hash;
    try { history.replaceState(null, '', url); } catch (e) { /* file:// in some browsers */ }
  }

  // --- data ------------------------------------------------------------------------------

  function prepareDocs(data) {
    docs = data;
    const count = data.count;
    facets = data.facets.map((facet) => {
      const codeOf = new Map(facet.labels.map(([value], code) => [value, code]));
      const totals = new Uint32Array(facet.labels.length);
      for (const value of facet.values) {
        if (facet.multi) { for (const code of value) totals[code]++; } else if (value >= 0) totals[value]++;
      }
      return Object.assign({}, facet, { codeOf, totals, expanded: false, items: [] });
    });
    // Newest first, ties in id order (documents are stored in id order).
    const byNewest = Array.from({ length: count }, (_, i) => i).sort((a, b) => data.approved[b] - data.approved[a] || a - b);
    newestRank = new Uint32Array(count);
    byNewest.forEach((position, rank) => { newestRank[position] = rank; });
  }

  /** Title order needs a collator pass over every title: done the first time someone sorts by title. */
  function titleRanks() {
    if (!titleRank) {
      const collator = new Intl.Collator(document.documentElement.lang || undefined, { sensitivity: 'base', numeric: true });
      const byTitle = Array.from({ length: docs.count }, (_, i) => i)
        .sort((a, b) => collator.compare(docs.title[a], docs.title[b]) || a - b);
      titleRank = new Uint32Array(docs.count);
      byTitle.forEach((position, rank) => { titleRank[position] = rank; });
    }
    return titleRank;
  }

  function thumbUrl(position) {
    const middle = docs.thumb.values[position];
    return middle === null ? null : home + docs.thumb.prefix + middle + docs.thumb.suffix;
  }

  // --- matching ---------------------------------------------------------------------------

  /** Before the index arrives: every query word must start a word of the title or a facet label. */
  function fallbackMatch(queryText) {
    const wanted = words(queryText);
    if (!fallbackWords) {
      const labelWords = facets.map((facet) => facet.labels.map(([, text]) => words(text)));
      fallbackWords = docs.title.map((title, position) => {
        const own = words(title);
        facets.forEach((facet, f) => {
          const value = facet.values[position];
          for (const code of facet.multi ? value : value >= 0 ? [value] : []) own.push(...labelWords[f][code]);
        });
        return own;
      });
    }
    const matches = [];
    fallbackWords.forEach((own, position) => {
      if (wanted.every((word) => own.some((candidate) => candidate.startsWith(word)))) matches.push([position, 0]);
    });
    return matches;
  }

  /** [[position, score]] for the text query, or null when there is none. */
  function textMatches() {
    const typed = words(state.q);
    if (typed.every((word) => word.length < PREFIX_MIN_LENGTH)) return null; // "b": keep browsing
    if (!lunrIndex) return fallbackMatch(state.q);
    return search(window.lunr, lunrIndex, state.q).map(([ref, score]) => [parseInt(ref, 36), score]);
  }

  function compute() {
    const matches = textMatches();
    const active = facets.filter((facet) => state.selected.get(facet.name).size > 0);
    const counts = facets.map((facet) => new Uint32Array(facet.labels.length));
    const passes = (facet, position) => {
      const chosen = state.selected.get(facet.name);
      const value = facet.values[position];
      return facet.multi ? value.some((code) => chosen.has(code)) : chosen.has(value);
    };
    const count = (f, position) => {
      const facet = facets[f];
      const value = facet.values[position];
      if (facet.multi) { for (const code of value) counts[f][code]++; } else if (value >= 0) counts[f][value]++;
    };
    const found = [];
    const visit = (position, score) => {
      let failed = -1;
      for (const facet of active) {
        if (!passes(facet, position)) {
          if (failed !== -1) return; // fails two groups: counts nowhere
          failed = facets.indexOf(facet);
        }
      }
      if (failed === -1) {
        found.push([position, score]);
        for (let f = 0; f < facets.length; f++) count(f, position);
      } else {
        count(failed, position); // what ticking a box in the one failing group would add
      }
    };
    if (matches === null) {
      for (let position = 0; position < docs.count; position++) visit(position, 0);
    } else {
      for (const [position, score] of matches) visit(position, score);
    }
    const sort = state.sort === 'relevance' && matches === null ? 'newest' : state.sort;
    if (sort === 'newest') found.sort((a, b) => newestRank[a[0]] - newestRank[b[0]]);
    else if (sort === 'title') { const rank = titleRanks(); found.sort((a, b) => rank[a[0]] - rank[b[0]]); }
    else found.sort((a, b) => b[1] - a[1] || newestRank[a[0]] - newestRank[b[0]]);
    return { found, counts };
  }

  // --- rendering --------------------------------------------------------------------------

  function buildFacets() {
    facetsEl.textContent = '';
    facets.forEach((facet) => {
      if (!facet.labels.length) return;
      const fieldset = el('fieldset', 'dam-facet');
      fieldset.appendChild(el('legend', null, facet.title));
      const list = el('ul', 'dam-facet-values');
      const order = facet.labels.map((_, code) => code)
        .sort((a, b) => facet.totals[b] - facet.totals[a] || facet.labels[a][1].localeCompare(facet.labels[b][1]));
      facet.items = order.map((code) => {
        const item = el('li');
        const label = el('label');
        const box = el('input');
        box.type = 'checkbox';
        box.name = facet.name;
        box.value = facet.labels[code][0];
        box.addEventListener('change', () => {
          const chosen = state.selected.get(facet.name);
          if (box.checked) chosen.add(code); else chosen.delete(code);
          state.shown = PAGE;
          update(true);
        });
        const countEl = el('span', 'dam-count');
        label.append(box, el('span', 'dam-facet-label', facet.labels[code][1]), ' ', countEl);
        item.appendChild(label);
        list.appendChild(item);
        return { code, item, box, countEl };
      });
      fieldset.appendChild(list);
      const more = el('button', 'dam-facet-more');
      more.type = 'button';
      more.setAttribute('aria-expanded', 'false');
      more.addEventListener('click', () => {
        facet.expanded = !facet.expanded;
        more.setAttribute('aria-expanded', String(facet.expanded));
        renderFacets(lastCounts);
      });
      facet.moreButton = more;
      fieldset.appendChild(more);
      facetsEl.appendChild(fieldset);
    });
  }

  let lastCounts = null;

  function renderFacets(counts) {
    lastCounts = counts;
    facets.forEach((facet, f) => {
      if (!facet.labels.length) return;
      const chosen = state.selected.get(facet.name);
      let available = 0;
      for (const entry of facet.items) {
        const n = counts[f][entry.code];
        const checked = chosen.has(entry.code);
        entry.box.checked = checked;
        entry.countEl.textContent = '(' + number.format(n) + ')';
        const offered = n > 0 || checked;
        if (offered) available++;
        entry.item.hidden = !offered || (!facet.expanded && available > FACET_LIMIT && !checked);
      }
      facet.moreButton.hidden = available <= FACET_LIMIT;
      facet.moreButton.textContent = facet.expanded ? 'Show fewer' : 'Show all ' + available;
    });
  }

  /** A single-valued facet's [value, label] for a document, or ['', '']. */
  function facetValue(facetName, position) {
    const facet = facets.find((candidate) => candidate.name === facetName);
    const code = facet && !facet.multi ? facet.values[position] : -1;
    return code >= 0 ? facet.labels[code] : ['', ''];
  }

  const label = (facetName, position) => facetValue(facetName, position)[1];

  /** A result, in the same card markup as the site's listings. */
  function card(position) {
    const item = el('li', 'card');
    const link = el('a', 'card-link');
    link.href = home + 'assets/' + encodeURIComponent(docs.id[position]) + '/index.html';
    const [kindValue, kind] = facetValue('type', position);
    const media = el('div', 'card-media' + (kindValue ? ' card-' + kindValue : ''));
    const src = thumbUrl(position);
    if (src) {
      const img = el('img');
      img.src = src;
      img.alt = '';
      img.loading = 'lazy';
      img.decoding = 'async';
      img.width = 480;
      img.height = 360;
      media.appendChild(img);
    } else {
      media.appendChild(el('span', 'card-placeholder', kind || 'No preview'));
    }
    if (kind) media.appendChild(el('span', 'card-kind', kind));
    const body = el('div', 'card-body');
    body.appendChild(el('span', 'card-title', docs.title[position]));
    const meta = [label('collection', position), label('campaign', position)].filter(Boolean).join(' \u00b7 ');
    if (meta) body.appendChild(el('span', 'card-meta', meta));
    link.append(media, body);
    item.appendChild(link);
    return item;
  }

  function renderResults() {
    const fragment = document.createDocumentFragment();
    for (const [position] of results.slice(0, state.shown)) fragment.appendChild(card(position));
    resultsEl.textContent = '';
    resultsEl.appendChild(fragment);
    moreButton.hidden = results.length <= state.shown;
    moreButton.textContent = 'Show more (' + number.format(results.length - Math.min(results.length, state.shown)) + ' left)';
  }

  function announce() {
    const n = results.length;
    const q = state.q.trim();
    let text = n === 0 ? 'No assets match' : n === 1 ? '1 asset' : number.format(n) + ' assets';
    if (q) text += (n === 0 ? ' \u201c' : ' match \u201c') + q + '\u201d';
    if (q && !lunrIndex) text += ' (titles only, the full index is loading)';
    if (n === 0) text += '. Try fewer words or clear some filters.';
    statusEl.textContent = text;
  }

  function update(syncUrl) {
    if (!docs) return;
    const computed = compute();
    results = computed.found;
    renderFacets(computed.counts);
    renderResults();
    announce();
    const filtered = facets.some((facet) => state.selected.get(facet.name).size > 0);
    clearButton.hidden = !filtered && !state.q.trim();
    if (syncUrl) writeUrl();
    if (!firstResultsMarked && results.length) {
      firstResultsMarked = true;
      mark('dam-first-results');
    }
    if (lunrIndex && words(state.q).length) mark('dam-index-results');
  }

  function syncControls() {
    input.value = state.q;
    sortSelect.value = state.sort;
  }

  // --- events -----------------------------------------------------------------------------

  let timer = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.q = input.value;
      state.shown = PAGE;
      update(true);
    }, 120);
  });
  input.form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(timer);
    state.q = input.value;
    state.shown = PAGE;
    update(true);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') {
      const first = resultsEl.querySelector('a');
      if (first) { event.preventDefault(); first.focus(); }
    }
  });
  sortSelect.addEventListener('change', () => {
    state.sort = sortSelect.value;
    update(true);
  });
  moreButton.addEventListener('click', () => {
    const before = state.shown;
    state.shown += PAGE;
    renderResults();
    const next = resultsEl.querySelectorAll('a')[before];
    if (next) next.focus();
  });
  clearButton.addEventListener('click', () => {
    state.q = '';
    for (const chosen of state.selected.values()) chosen.clear();
    state.shown = PAGE;
    syncControls();
    update(true);
    input.focus();
  });

  /** Arrow keys move through the grid: left/right by one, up/down by a row; Escape returns. */
  resultsEl.addEventListener('keydown', (event) => {
    const links = Array.from(resultsEl.querySelectorAll('a'));
    const at = links.indexOf(document.activeElement);
    if (at === -1) return;
    let columns = 1;
    while (columns < links.length && links[columns].offsetTop === links[0].offsetTop) columns++;
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns, Home: -at, End: links.length - 1 - at };
    if (event.key === 'Escape') { event.preventDefault(); input.focus(); return; }
    if (!(event.key in moves)) return;
    event.preventDefault();
    const target = at + moves[event.key];
    if (target < 0) { input.focus(); return; }
    if (target < links.length) links[target].focus();
    else if (!moreButton.hidden) moreButton.focus();
  });

  // --- start ------------------------------------------------------------------------------

  const panel = document.getElementById('dam-facets-panel');
  if (panel && window.matchMedia && window.matchMedia('(max-width: 46rem)').matches) panel.open = false;
  statusEl.textContent = 'Loading\u2026';
  // docs.json first: facets browse with it alone. The index downloads meanwhile but is parsed and
  // unpacked only after the first results are on screen (or, from a local folder, its script is
  // only inserted then), so it never delays them.
  const docsText = window.__DAM_DOCS__ ? Promise.resolve(null) : fetchText(cfg.docs, 'high');
  const indexText = window.__DAM_INDEX__ ? Promise.resolve(null) : fetchText(cfg.index, 'low');
  const lunrLoaded = window.lunr ? Promise.resolve() : loadScript(cfg.lunr);

  const ready = docsText
    .then((text) => (text === null ? loadGlobal(cfg.docsScript, '__DAM_DOCS__') : JSON.parse(text)))
    .then((data) => {
      mark('dam-docs-loaded');
      prepareDocs(data);
      buildFacets();
      readUrl();
      syncControls();
      update(false);
    });

  const painted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

  const indexReady = ready.then(painted).then(() => indexText)
    .then((text) => (text === null ? loadGlobal(cfg.indexScript, '__DAM_INDEX__') : JSON.parse(text)))
    .then((packed) => lunrLoaded.then(() => {
      lunrIndex = unpack(window.lunr, packed);
      mark('dam-index-ready');
      if (words(state.q).length) update(false);
    }));

  ready.catch(() => {
    statusEl.textContent = 'Search data could not be loaded. Browse the collections from the home page instead.';
  });
  indexReady.catch(() => {
    if (docs) statusEl.textContent += ' Full-text search is unavailable; titles are still searched.';
  });

  /** For benchmarks and tests: run a query synchronously, return the milliseconds it took. */
  core.page = {
    ready,
    indexReady,
    run(text) {
      const started = performance.now();
      state.q = text;
      state.shown = PAGE;
      input.value = text;
      update(true);
      return performance.now() - started;
    },
    results: () => results.map(([position]) => docs.id[position]),
  };
})();
