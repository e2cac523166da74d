/* search.js: the book's offline search.  search-index.js (built by
 * tools/search-index.lua) holds one entry per section, both languages:
 * [address, English title, Chinese title, English text, Chinese text].
 * Every word of the query must occur; sections are ranked by how often. */
(function () {
	"use strict";
	var S = window.S || [];
	var low = S.map(function (e) {
		return [e[1].toLowerCase() + " " + e[3].toLowerCase(),
			e[2].toLowerCase() + " " + e[4].toLowerCase()];
	});

	function count(hay, needle) {
		var n = 0, i = hay.indexOf(needle);
		while (i >= 0) {
			n++;
			i = hay.indexOf(needle, i + needle.length);
		}
		return n;
	}

	/* Some text around the first match, the match in bold. */
	function snippet(text, term) {
		var i = text.toLowerCase().indexOf(term);
		if (i < 0)
			return null;
		var a = Math.max(0, i - 80), b = Math.min(text.length, i + term.length + 80);
		var p = document.createElement("p");
		p.className = "hit";
		p.appendChild(document.createTextNode((a ? "…" : "") + text.slice(a, i)));
		var m = document.createElement("mark");
		m.textContent = text.slice(i, i + term.length);
		p.appendChild(m);
		p.appendChild(document.createTextNode(text.slice(i + term.length, b) + (b < text.length ? "…" : "")));
		return p;
	}

	function search(q) {
		var out = document.getElementById("results");
		var terms = q.toLowerCase().split(/\s+/).filter(Boolean);
		out.textContent = "";
		if (!terms.length)
			return;
		var hits = [];
		low.forEach(function (l, k) {
			var score = 0;
			for (var t = 0; t < terms.length; t++) {
				var n = count(l[0], terms[t]) + count(l[1], terms[t]);
				if (!n)
					return;
				score += n + 10 * (count(S[k][1].toLowerCase(), terms[t]) +
					count(S[k][2].toLowerCase(), terms[t]));
			}
			hits.push([score, k]);
		});
		hits.sort(function (x, y) { return y[0] - x[0]; });
		var head = document.createElement("p");
		head.className = "count";
		head.innerHTML = '<span class="h-en">' + hits.length + ' sections</span>' +
			'<span class="h-sep"> · </span><span class="h-zh">' + hits.length + '个小节</span>';
		out.appendChild(head);
		hits.slice(0, 100).forEach(function (h) {
			var e = S[h[1]], div = document.createElement("div");
			div.className = "result";
			var a = document.createElement("a");
			a.href = e[0];
			a.innerHTML = '<span class="h-en"></span><span class="h-sep"> · </span><span class="h-zh"></span>';
			a.children[0].textContent = e[1];
			a.children[2].textContent = e[2];
			div.appendChild(a);
			var en = snippet(e[3], terms[0]), zh = snippet(e[4], terms[0]);
			if (en) {
				en.classList.add("l-en-text");
				div.appendChild(en);
			}
			if (zh) {
				zh.classList.add("l-zh-text");
				zh.lang = "zh-Hans";
				div.appendChild(zh);
			}
			out.appendChild(div);
		});
	}

	document.addEventListener("DOMContentLoaded", function () {
		var box = document.getElementById("q");
		var m = /[?&]q=([^&#]*)/.exec(location.search);
		if (m)
			box.value = decodeURIComponent(m[1].replace(/\+/g, " "));
		box.addEventListener("input", function () { search(box.value); });
		search(box.value);
	});
})();
