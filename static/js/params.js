// The Params table <-> URL codec: names and values are shown decoded and written into the URL
// encoded by the engine's rules (requests_app/engine/validation.py, encode_param_text /
// decode_param_text): "&", "#", "+", "%", spaces and non-ASCII text are percent-encoded as UTF-8,
// "=" only in names; {{variables}} stay as typed (the engine fills them in before encoding).
(function () {
  "use strict";
  var webclient = (window.webclient = window.webclient || {});
  var TEMPLATE = /\{\{[^{}]*\}\}/g;
  // encodeURIComponent keeps A-Z a-z 0-9 - _ . ! ~ * ' ( ); the engine also keeps these in a query part.
  var KEPT_IN_VALUE = { "2F": "/", "3A": ":", "40": "@", "24": "$", "2C": ",", "3B": ";", "3D": "=", "3F": "?", "7B": "{", "7D": "}" };

  function encodePart(text, isName) {
    var encoded;
    try { encoded = encodeURIComponent(text); } catch (e) { encoded = encodeURIComponent(text.replace(/[\ud800-\udfff]/g, "\ufffd")); }
    return encoded.replace(/%(2F|3A|40|24|2C|3B|3D|3F|7B|7D)/g, function (match, hex) {
      return isName && hex === "3D" ? match : KEPT_IN_VALUE[hex];
    });
  }

  function encode(text, isName) {
    var out = "", last = 0;
    text.replace(TEMPLATE, function (match, offset) {
      out += encodePart(text.slice(last, offset), isName) + match;
      last = offset + match.length;
      return match;
    });
    return out + encodePart(text.slice(last), isName);
  }

  function decode(text) {
    return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, function (run) {
      try { return decodeURIComponent(run); } catch (e) { return run; }
    });
  }

  webclient.params = { encode: encode, decode: decode };
})();
