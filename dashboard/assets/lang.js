/* Language links keep the page and its query: the pages write their state into the
   address bar as the user changes filters, so the link's target is taken at click time. */
(function () {
  function follow(event) {
    var link = event.target && event.target.closest && event.target.closest("a.lang-link");
    if (!link || !link.getAttribute("lang")) {
      return;
    }
    var here = window.location.pathname + window.location.search;
    link.href = "/language/" + link.getAttribute("lang") + "?next=" + encodeURIComponent(here);
  }
  document.addEventListener("click", follow, true);
  document.addEventListener("auxclick", follow, true);
})();
