/* Phones (≤ 700 px): a map's legend and colour bars start folded away behind a "Legend"
   button, so they do not cover half the map; the button opens and closes them.
   Every new figure a callback draws is fitted again; the reader's open/closed choice
   is kept per map. Wider screens are left exactly as the server drew them. */
(function () {
  "use strict";
  var NARROW = window.matchMedia("(max-width: 700px)");
  var WORDS = {en: ["Legend", "Hide legend"], fr: ["Légende", "Masquer la légende"],
               es: ["Leyenda", "Ocultar la leyenda"]};

  function words() {
    var lang = (document.documentElement.getAttribute("lang") || "en").slice(0, 2);
    return WORDS[lang] || WORDS.en;
  }

  function isMap(gd) {
    return gd && gd._fullLayout && gd._fullLayout.map && window.Plotly;
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
    var update = {};
    if (gd._fullLayout.showlegend !== open) { update.showlegend = open; }
    // Colour bars fold away with the legend: remember which traces the server drew one
    // for (a new figure brings new trace objects), and show those only when open.
    var show = [], hide = [];
    gd.data.forEach(function (t, i) {
      if (t._geotrafScale === undefined) {
        var full = gd._fullData[i];
        t._geotrafScale = !!(full && full.colorbar && t.showscale !== false);
      }
      if (!t._geotrafScale) { return; }
      var shown = gd._fullData[i].showscale !== false;
      if (open && !shown) { show.push(i); }
      if (!open && shown) { hide.push(i); }
    });
    if (Object.keys(update).length) { window.Plotly.relayout(gd, update); }
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
