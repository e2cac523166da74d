/* check.js: injected into a copy of a book page by tests/browser/run, which
 * loads the page in a frame of a phone's size (headless Chromium's window
 * is at least 500 px wide); it checks the page and posts its findings to
 * the frame's parent, which shows them for chromium's --dump-dom:
 *   WIDTH mode scrollWidth innerWidth    one line per language mode
 *   PROBLEM text                         anything wrong
 *   DONE                                 the checks ran to the end
 */
(function () {
	"use strict";
	var out = [];
	var docs = {};

	function problem(s) { out.push("PROBLEM " + s); }

	/* Inside a box that scrolls (or clips) on its own? */
	function contained(e) {
		for (e = e.parentElement; e && e !== document.body; e = e.parentElement)
			if (getComputedStyle(e).overflowX !== "visible")
				return true;
		return false;
	}

	/* The element that sticks out furthest, to name the culprit. */
	function culprit(vw) {
		var worst = null, right = vw;
		document.querySelectorAll("body *").forEach(function (e) {
			if (contained(e))
				return;
			var r = e.getBoundingClientRect();
			if (r.width > 0 && r.right > right + 1) {
				right = r.right;
				worst = e;
			}
		});
		if (!worst)
			return "?";
		return worst.tagName.toLowerCase() + (worst.id ? "#" + worst.id : "") +
			"." + String(worst.className).replace(/ /g, ".") + " (" +
			Math.round(right) + " px): " +
			worst.textContent.slice(0, 60).replace(/\s+/g, " ");
	}

	function mode(m) {
		var b = document.querySelector('[data-set-lang="' + m + '"]');
		if (!b) {
			problem("no button for language " + m);
			return false;
		}
		b.click();
		return true;
	}

	function shown(sel) {
		var e = document.querySelector(sel);
		return e && getComputedStyle(e).display !== "none" &&
			e.getClientRects().length > 0;
	}

	/* Another page of the book, parsed once (needs file access from files). */
	function load(file) {
		if (!(file in docs)) {
			try {
				var x = new XMLHttpRequest();
				x.open("GET", file, false);
				x.send();
				docs[file] = x.responseText ?
					new DOMParser().parseFromString(x.responseText, "text/html") : null;
			} catch (e) {
				docs[file] = null;
			}
		}
		return docs[file];
	}

	function check_links() {
		var here = location.pathname.split("/").pop();
		var seen = {};
		document.querySelectorAll("a[href]").forEach(function (a) {
			var h = a.getAttribute("href");
			if (/^[a-z]+:/i.test(h) || seen[h])
				return;
			seen[h] = 1;
			var file = h.split("#")[0] || here, frag = h.split("#")[1];
			var d = file === here ? document : load(file);
			if (!d) {
				problem("link to a missing page: " + h);
				return;
			}
			if (frag && !d.getElementById(decodeURIComponent(frag)))
				problem("link without a target: " + h + " (" +
					a.textContent.slice(0, 40) + ")");
		});
	}

	/* The search page finds words of both languages, offline. */
	function check_search() {
		var q = document.getElementById("q");
		if (!q)
			return;
		["hypercall", "影子页表"].forEach(function (w) {
			q.value = w;
			q.dispatchEvent(new Event("input"));
			var n = document.querySelectorAll("#results .result").length;
			out.push("SEARCH " + w + " " + n);
			if (!n)
				problem("search finds nothing for " + w);
		});
	}

	function run() {
		var vw = document.documentElement.clientWidth;
		["both", "en", "zh"].forEach(function (m) {
			if (!mode(m))
				return;
			var w = document.documentElement.scrollWidth;
			out.push("WIDTH " + m + " " + w + " " + vw);
			if (w > vw)
				problem("page " + w + " px wide in mode " + m + ", viewport " +
					vw + " px; widest: " + culprit(vw));
			var lang = document.documentElement.getAttribute("data-lang");
			if (lang !== m)
				problem("toggle " + m + ": <html data-lang> is " + lang);
			if (document.querySelector(".lang-en") && document.querySelector(".lang-zh")) {
				var en = shown(".lang-en"), zh = shown(".lang-zh");
				if (en !== (m !== "zh") || zh !== (m !== "en"))
					problem("toggle " + m + ": English shown " + en +
						", Chinese shown " + zh);
			}
		});
		mode("both");
		check_links();
		check_search();
		out.push("DONE");
		/* run inside the runner's 390 px frame: report to the frame's parent */
		if (window.parent !== window)
			window.parent.postMessage("\n" + out.join("\n") + "\n", "*");
	}

	window.addEventListener("load", function () { setTimeout(run, 0); });
})();
