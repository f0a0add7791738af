/* "Download with rights": zips the chosen rendition with RIGHTS.txt and RIGHTS.json, in the browser.
 *
 * A store-only ZIP writer (no compression: renditions are already compressed media) in ~80
 * lines: local headers, central directory, end record, CRC-32. It needs no package, makes no
 * network request beyond fetching the rendition from this site, and its output depends only
 * on its input (the DOS timestamp is the build date), so the same package is the same bytes.
 * Data comes from <script type="application/json" id="asset-data">, never from the DOM.
 */
(function () {
  "use strict";

  var CRC_TABLE = (function () {
    var table = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) { c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; }
      table[n] = c >>> 0;
    }
    return table;
  })();

  function crc32(bytes) {
    var crc = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) { crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8); }
    return (crc ^ 0xffffffff) >>> 0;
  }

  function dosDateTime(isoDate) {
    var parts = (isoDate || "1980-01-01").split("-").map(Number);
    return { time: 0, date: ((parts[0] - 1980) << 9) | (parts[1] << 5) | parts[2] };
  }

  /* files: [{name: string, data: Uint8Array}] -> Blob (application/zip) */
  function storeZip(files, isoDate) {
    var encoder = new TextEncoder();
    var stamp = dosDateTime(isoDate);
    var chunks = [], central = [], offset = 0;
    files.forEach(function (file) {
      var name = encoder.encode(file.name);
      var crc = crc32(file.data), size = file.data.length;
      var local = new DataView(new ArrayBuffer(30));
      local.setUint32(0, 0x04034b50, true); local.setUint16(4, 20, true); local.setUint16(6, 0x0800, true);
      local.setUint16(8, 0, true); local.setUint16(10, stamp.time, true); local.setUint16(12, stamp.date, true);
      local.setUint32(14, crc, true); local.setUint32(18, size, true); local.setUint32(22, size, true);
      local.setUint16(26, name.length, true); local.setUint16(28, 0, true);
      chunks.push(new Uint8Array(local.buffer), name, file.data);
      var entry = new DataView(new ArrayBuffer(46));
      entry.setUint32(0, 0x02014b50, true); entry.setUint16(4, 20, true); entry.setUint16(6, 20, true);
      entry.setUint16(8, 0x0800, true); entry.setUint16(10, 0, true); entry.setUint16(12, stamp.time, true);
      entry.setUint16(14, stamp.date, true); entry.setUint32(16, crc, true); entry.setUint32(20, size, true);
      entry.setUint32(24, size, true); entry.setUint16(28, name.length, true);
      entry.setUint32(42, offset, true);
      central.push(new Uint8Array(entry.buffer), name);
      offset += 30 + name.length + size;
    });
    var centralSize = central.reduce(function (sum, part) { return sum + part.length; }, 0);
    var end = new DataView(new ArrayBuffer(22));
    end.setUint32(0, 0x06054b50, true); end.setUint16(8, files.length, true); end.setUint16(10, files.length, true);
    end.setUint32(12, centralSize, true); end.setUint32(16, offset, true);
    return new Blob(chunks.concat(central, [new Uint8Array(end.buffer)]), { type: "application/zip" });
  }

  function rightsText(asset, rendition) {
    var lines = [
      asset.title, "=".repeat(Math.min(asset.title.length, 72)), "",
      "File: " + rendition.filename + " (" + rendition.label + ")",
      "Asset page: " + asset.url,
      "Credit line: " + (asset.credit || "none required"),
      "Creator: " + (asset.creator || "not recorded"),
      "Licence: " + (asset.licence ? asset.licence.label + (asset.licence.url ? " <" + asset.licence.url + ">" : "") : "not recorded: ask the owner"),
      "Allowed channels: " + (asset.channels.length ? asset.channels.join(", ") : "none recorded: ask the owner"),
      "Territories: " + (asset.territories.length ? asset.territories.join(", ") : "none recorded: ask the owner"),
      "Use until: " + (asset.expires || "no end date"),
      "Restrictions: " + (asset.restrictions || "none recorded"),
      "Releases on file: " + (asset.consent.length ? asset.consent.join(", ") : "none"),
      "", "Rights as published on " + asset.build_date + ". Check the asset page before each new use.", ""
    ];
    return lines.join("\r\n");
  }

  function rightsJson(asset, rendition) {
    return JSON.stringify({
      id: asset.id, title: asset.title, url: asset.url, file: rendition.filename, rendition: rendition.name,
      credit: asset.credit, creator: asset.creator, licence: asset.licence, channels: asset.channels,
      territories: asset.territories, expires: asset.expires, restrictions: asset.restrictions,
      consent: asset.consent, published_on: asset.build_date
    }, null, 2) + "\n";
  }

  function save(blob, name) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    window.setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  window.DamZip = { storeZip: storeZip, crc32: crc32, rightsText: rightsText };
  var form = document.querySelector("[data-package]");
  var blob = document.getElementById("asset-data");
  if (!form || !blob) { return; }
  var asset = JSON.parse(blob.textContent);
  var status = form.querySelector(".package-status");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var wanted = form.elements.rendition.value;
    var rendition = asset.renditions.filter(function (r) { return r.name === wanted; })[0];
    if (!rendition) { return; }
    var encoder = new TextEncoder();
    status.textContent = "Preparing " + rendition.label + "…";
    fetch(rendition.path).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.arrayBuffer();
    }).then(function (buffer) {
      var zip = storeZip([
        { name: rendition.filename, data: new Uint8Array(buffer) },
        { name: "RIGHTS.txt", data: encoder.encode(rightsText(asset, rendition)) },
        { name: "RIGHTS.json", data: encoder.encode(rightsJson(asset, rendition)) }
      ], asset.build_date);
      save(zip, asset.id + "-" + rendition.name + "-with-rights.zip");
      status.textContent = "Downloaded " + asset.id + "-" + rendition.name + "-with-rights.zip";
    }).catch(function () {
      /* Browsers refuse fetch() on file:// pages: still hand over the rights, as a text file. */
      save(new Blob([rightsText(asset, rendition)], { type: "text/plain" }), asset.id + "-RIGHTS.txt");
      status.textContent = "Could not read the file from here (open the portal over http, e.g. `dam serve`, for the .zip). Saved RIGHTS.txt; download the file from the list above.";
    });
  });
})();
