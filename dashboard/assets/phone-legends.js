/* Phones (≤ 700 px): a map's legend and colour bars start folded away behind a "Legend"
   button, so they do not cover half the map; the button opens and closes them.
   Every new figure a callback draws is fitted again; the reader's open/closed choice
   is kept per map. Wider screens are left exactly as the server drew them.
   Only plotly.js's public API: the figure's own data and layout (gd.data, gd.layout),
   Plotly.relayout / Plotly.restyle and the plotly_afterplot event. */
(function () {
  "use strict";
  var NARROW = window.matchMedia("(max-width: 700px)");
  var WORDS = {en: ["Legend", "Hide legend"], fr: ["Légende", "Masquer la légende"],
               es: ["Leyenda", "Ocultar la leyenda"]};
  // Trace types whose colour bar is the trace's own (shown unless showscale is false).
  var SCALED = ["choroplethmap", "densitymap", "choropleth", "heatmap", "contour"];
  // Per trace object: did the server draw its colour bar? (A new figure brings new
  // trace objects; folding sets showscale false on these, so remember the first look.)
  var DRAWN = new WeakMap();

  function words() {
    var lang = (document.documentElement.getAttribute("lang") || "en").slice(0, 2);
    return WORDS[lang] || WORDS.en;
  }

  function isMap(gd) {
    return !!(window.Plotly && gd && gd.layout && gd.layout.map && gd.data);
  }

  function drewScale(trace) {
    if (!DRAWN.has(trace)) {
      DRAWN.set(trace, SCALED.indexOf(trace.type) >= 0 && trace.showscale !== false);
    }
    return DRAWN.get(trace);
  }

  function button(gd) {
    var holder = gd.parentElement;
    var btn = holder.querySelector(":scope > .legend-toggle");
    if (!btn) {
      btn = document.createElement("button");
      btn.type = "button";
      btn.className = "legend-toggle button-secondary";
      btn.addEventListener("click", function () {
        gd.__geotrafLegendOpen = !gd.__geotrafLegendOpen;
        fit(gd);
      });
      holder.appendChild(btn);  // after the graph: React keeps its own children first
    }
    btn.textContent = words()[gd.__geotrafLegendOpen ? 1 : 0];
    btn.setAttribute("aria-expanded", gd.__geotrafLegendOpen ? "true" : "false");
    return btn;
  }

  function fit(gd) {
    if (!isMap(gd)) { return; }
    if (!NARROW.matches) {
      var old = gd.parentElement.querySelector(":scope > .legend-toggle");
      if (old) { old.remove(); }
      return;
    }
    button(gd);
    var open = !!gd.__geotrafLegendOpen;
    // Colour bars fold away with the legend: those the server drew show only when open.
    var show = [], hide = [];
    gd.data.forEach(function (t, i) {
      if (!drewScale(t)) { return; }
      var shown = t.showscale !== false;
      if (open && !shown) { show.push(i); }
      if (!open && shown) { hide.push(i); }
    });
    if ((gd.layout.showlegend !== false) !== open) {
      window.Plotly.relayout(gd, {showlegend: open});
    }
    if (show.length) { window.Plotly.restyle(gd, {showscale: true}, show); }
    if (hide.length) { window.Plotly.restyle(gd, {showscale: false}, hide); }
  }

  function watch(gd) {
    if (gd.__geotrafPhoneLegends || !gd.on) { return; }
    gd.__geotrafPhoneLegends = true;
    gd.on("plotly_afterplot", function () { fit(gd); });
    fit(gd);
  }

  function scan() {
    document.querySelectorAll(".js-plotly-plot").forEach(watch);
  }

  new MutationObserver(scan).observe(document.documentElement, {childList: true, subtree: true});
  NARROW.addEventListener("change", function () {
    document.querySelectorAll(".js-plotly-plot").forEach(fit);
  });
})();
