/* book.js: the language toggle (both / English / 中文), kept in localStorage. */
(function () {
	"use strict";
	var KEY = "lguest-adventure-lang";
	var MODES = ["both", "en", "zh"];

	/* Show one mode: the CSS reads <html data-lang=...>. */
	function show(mode) {
		if (MODES.indexOf(mode) < 0)
			mode = "both";
		document.documentElement.setAttribute("data-lang", mode);
		var buttons = document.querySelectorAll("[data-set-lang]");
		for (var i = 0; i < buttons.length; i++)
			buttons[i].setAttribute("aria-pressed",
				String(buttons[i].getAttribute("data-set-lang") === mode));
	}

	/* A "#lang=zh" in the address wins over the stored choice. */
	function initial() {
		var m = /(?:^#|&)lang=(both|en|zh)\b/.exec(location.hash);
		if (m)
			return m[1];
		try {
			return localStorage.getItem(KEY) || "both";
		} catch (e) {
			return "both";
		}
	}

	function choose(mode) {
		try {
			localStorage.setItem(KEY, mode);
		} catch (e) {
			/* private browsing: the choice lasts for this page only */
		}
		show(mode);
	}

	/* On a phone the chapter list scrolls: bring the current one into view. */
	function show_current_chapter() {
		var nav = document.querySelector(".bar .chapters");
		var cur = nav && nav.querySelector(".current");
		if (cur && nav.scrollWidth > nav.clientWidth)
			nav.scrollLeft = Math.min(cur.offsetLeft - nav.offsetLeft - 40,
				nav.scrollWidth - nav.clientWidth);
	}

	show(initial());
	document.addEventListener("DOMContentLoaded", function () {
		show(document.documentElement.getAttribute("data-lang"));
		show_current_chapter();
		document.querySelectorAll("[data-set-lang]").forEach(function (b) {
			b.addEventListener("click", function () {
				choose(b.getAttribute("data-set-lang"));
			});
		});
	});
})();
