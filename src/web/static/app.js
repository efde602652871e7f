/*
 * app.js - small conveniences; every page works without it (the CSP
 * forbids inline scripts, so this file is the only script).
 *   - buttons, links and forms with data-confirm="..." ask first;
 *   - the menu button hides or shows the left navigation (remembered).
 */
(function () {
  'use strict';

  document.addEventListener('click', function (ev) {
    var el = ev.target.closest ? ev.target.closest('[data-confirm]') : null;
    if (el && el.tagName !== 'FORM' &&
        !window.confirm(el.getAttribute('data-confirm'))) {
      ev.preventDefault();
      ev.stopPropagation();
    }
  }, true);

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (form.hasAttribute && form.hasAttribute('data-confirm') &&
        !window.confirm(form.getAttribute('data-confirm'))) {
      ev.preventDefault();
    }
  }, true);

  function setupNav() {
    var button = document.querySelector('.nav-toggle');
    if (!button) {
      return;
    }
    var key = 'shuniu.nav.collapsed';
    var collapsed = false;
    try {
      collapsed = window.localStorage.getItem(key) === '1';
    } catch (e) {
      collapsed = false;
    }
    function apply() {
      document.body.classList.toggle('nav-collapsed', collapsed);
      button.setAttribute('aria-expanded', collapsed ? 'false' : 'true');
    }
    button.hidden = false;
    apply();
    button.addEventListener('click', function () {
      collapsed = !collapsed;
      apply();
      try {
        window.localStorage.setItem(key, collapsed ? '1' : '0');
      } catch (e) {
        /* private mode: not remembered */
      }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', setupNav);
  } else {
    setupNav();
  }
}());
