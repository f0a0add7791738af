/* Copy buttons (credit line, link to the asset). No dependencies, no network. */
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy") ? resolve() : reject(new Error("copy refused")); }
      catch (error) { reject(error); }
      finally { document.body.removeChild(area); }
    });
  }

  function announce(button, message) {
    var status = button.parentNode.querySelector(".copy-status");
    if (status) {
      status.textContent = message;
      window.setTimeout(function () { status.textContent = ""; }, 4000);
    }
  }

  function canonicalUrl() {
    var link = document.querySelector('link[rel="canonical"]');
    var href = link ? link.getAttribute("href") : "";
    return /^https?:\/\//.test(href) ? href : window.location.href.split("#")[0];
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target], [data-copy-link]");
    if (!button) { return; }
    var text;
    if (button.hasAttribute("data-copy-link")) {
      text = canonicalUrl();
    } else {
      var source = document.getElementById(button.getAttribute("data-copy-target"));
      text = source ? source.textContent.trim() : "";
    }
    copyText(text).then(
      function () { announce(button, "Copied"); },
      function () { announce(button, "Press Ctrl+C to copy: " + text); }
    );
  });
})();
