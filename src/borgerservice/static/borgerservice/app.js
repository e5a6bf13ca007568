/* Start DKFDS components once the page has loaded.
 * Content swapped in by htmx (the search results) holds no DKFDS components that need
 * JavaScript; re-running init there would move focus away from the search field. */
document.documentElement.classList.remove("no-js");
document.addEventListener("DOMContentLoaded", function () {
  if (window.DKFDS) { window.DKFDS.init(); }
});
