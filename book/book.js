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

	/* The anchor nw2md gives the first definition of a chunk name. */
	function chunk_anchor(name) {
		var out = "c-", dash = false;
		for (var i = 0; i < name.length; i++) {
			var ch = name.charAt(i);
			if (/[A-Za-z0-9]/.test(ch)) {
				out += ch.toLowerCase();
				dash = false;
			} else if (name.charCodeAt(i) < 0x80 && !dash) {
				out += "-";
				dash = true;
			}
		}
		return out + "-1";
	}

	/* Turn every "⟨name⟩ N.M" inside the code into a link to that chunk. */
	function link_chunk_uses() {
		var pages = {};
		document.querySelectorAll(".chapters a").forEach(function (a) {
			var num = a.querySelector(".num");
			if (num)
				pages[num.textContent.trim()] = a.getAttribute("href");
		});
		/* the highlighter may have cut the name into spans: allow tags */
		var use = /⟨(.+?)⟩ (?:<span[^>]*>)?(\d+)\.(\d+)(?:<\/span>)?/g;
		document.querySelectorAll(".chunk pre code > span").forEach(function (line) {
			if (line.textContent.indexOf("⟨") < 0)
				return;
			line.innerHTML = line.innerHTML.replace(use, function (all, name, n, m) {
				var a = document.createElement("a");
				var tmp = document.createElement("span");
				tmp.innerHTML = name;
				a.className = "use";
				a.href = (pages[n] || "") + "#" + chunk_anchor(tmp.textContent);
				a.textContent = "⟨" + tmp.textContent + "⟩ " + n + "." + m;
				return a.outerHTML;
			});
		});
	}

	/* On a phone the chapter list scrolls: bring the current one into view. */
	function show_current_chapter() {
		var nav = document.querySelector(".bar .chapters");
		var cur = nav && nav.querySelector(".current");
		if (cur && nav.scrollWidth > nav.clientWidth)
			nav.scrollLeft = cur.offsetLeft - nav.offsetLeft - 40;
	}

	show(initial());
	document.addEventListener("DOMContentLoaded", function () {
		show(document.documentElement.getAttribute("data-lang"));
		link_chunk_uses();
		show_current_chapter();
		document.querySelectorAll("[data-set-lang]").forEach(function (b) {
			b.addEventListener("click", function () {
				choose(b.getAttribute("data-set-lang"));
			});
		});
	});
})();
