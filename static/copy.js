// Copy buttons for addresses to hand on (a one-time password link, a
// personal calendar feed). Without JavaScript the read-only field is there
// to select and copy by hand; with it, the field selects itself on focus and
// the button (hidden until now) copies it.
'use strict';
(function () {
  function say(id, text) {
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (status) status.textContent = text;
  }

  function copied(field) {
    say(field.id, 'Gekopieerd.');
  }

  function byHand(field) {
    field.focus();
    field.select();
    say(field.id, 'Kopiëren lukte niet: het adres is geselecteerd, kopieer het met Ctrl+C (Cmd+C op een Mac).');
  }

  function copy(field) {
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { copied(field); }, function () { byHand(field); });
      return;
    }
    try {
      if (document.execCommand('copy')) { copied(field); return; }
    } catch (e) { /* falls through */ }
    byHand(field);
  }

  document.querySelectorAll('[data-copy-field]').forEach(function (field) {
    field.addEventListener('focus', function () { field.select(); });
    field.addEventListener('click', function () { field.select(); });
  });
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    var field = document.getElementById(button.getAttribute('data-copy'));
    if (!field) return;
    button.hidden = false;
    button.addEventListener('click', function () { copy(field); });
  });
})();
