#!/usr/bin/env node
// Parse and validate WordPress block markup the way the block editor does when it opens a post:
// @wordpress/blocks' parse() with the core blocks registered (@wordpress/block-library's
// registerCoreBlocks()), under a jsdom DOM (as Gutenberg's own full-content fixture tests run it).
//
//   node validate_blocks.mjs < docs.json
//       the editor from npm (@wordpress/blocks + @wordpress/block-library, pinned in package.json)
//   node validate_blocks.mjs --wordpress /usr/share/wordpress < docs.json
//       the editor scripts that this WordPress ships (wp-includes/js/dist: blocks.js,
//       block-library.js and their dependencies, loaded in WordPress's own dependency order from
//       wp-includes/assets/script-loader-packages.php, which `php` reads) -- the validator that
//       this site's editor runs
//
// stdin: a JSON array of markup strings. stdout: a JSON array, one result per string:
//   {"editor": "@wordpress/blocks 16.0.0, @wordpress/block-library 11.0.0" | "WordPress 6.1.9",
//    "blocks": [block, ...], "serialized": serialize(blocks)}
//   serialized  what the editor writes back when the post is saved unchanged: valid blocks come from
//               their save() output, invalid ones keep their original source. It is the blocks'
//               `serialized` joined with "\n\n".
// block:
//   name              "core/paragraph"; "core/freeform" for content outside any block (the editor's
//                     Classic block), "core/missing" for an unregistered block name
//   attributes        as the editor parsed them (JSON form: rich text as its HTML string)
//   isValid           false = the editor shows "This block contains unexpected or invalid content"
//   migrated          true when the block is valid only through one of the block type's deprecations:
//                     the editor upgrades it silently (no warning) and saves it in the current form,
//                     with the attributes the deprecation's migration gave it
//   issues            the validation log the editor prints to the console, one readable string each,
//                     "warning: Block validation: Expected attributes ..." / "error: Block validation:
//                     Block validation failed for `core/image` ..."; empty when the block is valid
//   originalContent   the block's HTML as it was in the markup (without the block comments and
//                     without inner blocks)
//   serialized        this block as the editor would write it (serialize([block]))
//   innerBlocks       the same, for nested blocks
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { JSDOM, VirtualConsole } from 'jsdom';

function usage(message) {
	process.stderr.write(`validate_blocks.mjs: ${message}\n`);
	process.exit(2);
}

const argv = process.argv.slice(2);
let wordpressRoot = null;
if (argv.length === 2 && argv[0] === '--wordpress') wordpressRoot = argv[1];
else if (argv.length !== 0) usage('usage: validate_blocks.mjs [--wordpress WORDPRESS_ROOT] < docs.json');

// jsdom reports stylesheets it cannot parse (CSS-in-JS injected at load time) on its virtual
// console; they say nothing about blocks, so only other jsdom errors go on to stderr. Console calls
// of scripts run inside the window (the --wordpress mode) land here too and are dropped.
const virtualConsole = new VirtualConsole();
virtualConsole.on('jsdomError', (error) => {
	if (!/Could not parse CSS stylesheet/.test(error.message)) process.stderr.write(`jsdom: ${error.message}\n`);
});
const dom = new JSDOM('<!doctype html><html><head></head><body></body></html>', {
	url: 'http://localhost/',
	pretendToBeVisual: true,
	runScripts: 'outside-only',
	virtualConsole,
});
const win = dom.window;
// jsdom has no matchMedia; @wordpress/viewport queries it while loading. No media query matches.
win.matchMedia = (media) => ({
	matches: false, media, onchange: null,
	addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {},
	dispatchEvent() { return false; },
});

// The editor as npm packages. Returns the @wordpress/blocks API and the console its logs go to.
function loadFromNpm() {
	// The packages read window/document (and friends such as Node, getComputedStyle) as globals while
	// they load, as in a browser; node's own globals (URL, fetch, ...) win where both exist.
	for (const key of Object.getOwnPropertyNames(win)) {
		if (!(key in globalThis)) {
			try {
				globalThis[key] = win[key];
			} catch {
				// read-only on node's global: keep node's
			}
		}
	}
	globalThis.window = win;
	globalThis.document = win.document;
	// The ESM builds import JSON without import attributes (they target bundlers); the CommonJS
	// builds load in plain node. Static imports would also run before the DOM globals exist.
	const require = createRequire(import.meta.url);
	const blocks = require('@wordpress/blocks');
	const library = require('@wordpress/block-library');
	const version = (name) => require(`${name}/package.json`).version;
	return {
		blocks,
		registerCoreBlocks: library.registerCoreBlocks,
		console,
		editor: `@wordpress/blocks ${version('@wordpress/blocks')}, @wordpress/block-library ${version('@wordpress/block-library')}`,
	};
}

// The editor scripts a WordPress installation ships, run inside the jsdom window as the browser
// runs them: vendor React/lodash first, then each wp-* script after its dependencies.
function loadFromWordPress(root) {
	const includes = join(root, 'wp-includes');
	const packages = JSON.parse(execFileSync('php', ['-r',
		'echo json_encode(include $argv[1]);', join(includes, 'assets', 'script-loader-packages.php')],
	{ encoding: 'utf8' }));
	const vendor = new Set(['lodash', 'moment', 'react', 'react-dom', 'regenerator-runtime']);
	const loaded = new Set(['wp-polyfill']); // core-js for old browsers; jsdom + node need none
	const load = (handle) => {
		if (loaded.has(handle)) return;
		loaded.add(handle);
		let file;
		if (vendor.has(handle)) {
			if (handle === 'react-dom') load('react');
			file = join(includes, 'js', 'dist', 'vendor', `${handle}.js`);
		} else if (handle.startsWith('wp-') && packages[`${handle.slice(3)}.js`]) {
			packages[`${handle.slice(3)}.js`].dependencies.forEach(load);
			file = join(includes, 'js', 'dist', `${handle.slice(3)}.js`);
		} else {
			throw new Error(`no script for the handle ${handle} under ${includes}`);
		}
		win.eval(`${readFileSync(file, 'utf8')}\n//# sourceURL=${file}`);
		// WordPress adds this inline script after lodash (wp-includes/script-loader.php).
		if (handle === 'lodash') win.eval('window.lodash = _.noConflict();');
	};
	load('wp-blocks');
	load('wp-block-library');
	const version = /\$wp_version\s*=\s*'([^']+)'/.exec(readFileSync(join(includes, 'version.php'), 'utf8'));
	return {
		blocks: win.wp.blocks,
		registerCoreBlocks: win.wp.blockLibrary.registerCoreBlocks,
		console: win.console,
		editor: `WordPress ${version ? version[1] : '(unknown version)'}`,
	};
}

const editor = wordpressRoot ? loadFromWordPress(wordpressRoot) : loadFromNpm();
const { blocks: blocksApi, console: editorConsole } = editor;

// console-style formatting, with objects (%o: attribute lists, token objects) as compact JSON
// rather than node's multi-line inspect output.
function readable(message, ...args) {
	const shown = (a) => {
		if (typeof a === 'string') return a;
		try {
			return JSON.stringify(a) ?? String(a);
		} catch {
			return inspect(a, { breakLength: Infinity, depth: 3 });
		}
	};
	if (typeof message !== 'string') return [message, ...args].map(shown).join(' ');
	let i = 0;
	const text = message.replace(/%[sdifoOjc%]/g, (spec) => {
		if (spec === '%%') return '%';
		if (i >= args.length) return spec;
		const a = args[i++];
		return spec === '%c' ? '' : shown(a);
	});
	return [text, ...args.slice(i).map(shown)].join(' ');
}

// The editor code logs to the console (in npm mode our stdout, which carries the JSON), so while it
// runs the console is replaced by sinks that print nothing but still tell what was said:
// * A queued validation issue is {log, args}, where log was made from the console.error or
//   console.warn of the moment (a sink) and prefixes "Block validation: ". Replaying an issue while
//   `capture` is set gives the editor's exact text and its level.
// * parse() announces each block it made valid through a deprecation with console.info("Block
//   successfully updated for `%s` (%o) ...", name, blockType, newContent, originalContent); these
//   are collected per document to tell migrated blocks from directly valid ones.
const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'group', 'groupCollapsed', 'groupEnd'];
let capture = null;
let migrations = [];
const migrationKey = (name, originalContent) => `${name}\u0000${originalContent}`;
const sinks = {
	error: (...a) => { if (capture) capture.push(`error: ${readable(...a)}`); },
	warn: (...a) => { if (capture) capture.push(`warning: ${readable(...a)}`); },
	info: (message, name, blockType, newContent, originalContent) => {
		if (typeof message === 'string' && message.startsWith('Block successfully updated')) {
			migrations.push(migrationKey(name, originalContent));
		}
	},
};

function quietly(fn) {
	const saved = Object.fromEntries(consoleMethods.map((m) => [m, editorConsole[m]]));
	for (const m of consoleMethods) editorConsole[m] = sinks[m] ?? (() => {});
	try {
		return fn();
	} finally {
		Object.assign(editorConsole, saved);
	}
}

quietly(() => editor.registerCoreBlocks());

// The block type object (%o) would print as a huge dump, so it is shown by name.
function issueText({ log, args }) {
	const shownArgs = args.map((a) => (a && typeof a === 'object' && typeof a.name === 'string' && 'save' in a ? a.name : a));
	capture = [];
	try {
		log(...shownArgs);
		return capture.length ? capture.join('\n') : readable(...shownArgs);
	} finally {
		capture = null;
	}
}

function describe(block) {
	const found = migrations.indexOf(migrationKey(block.name, block.originalContent));
	if (found !== -1) migrations.splice(found, 1);
	const migrated = found !== -1;
	return {
		name: block.name,
		attributes: JSON.parse(JSON.stringify(block.attributes ?? {})),
		isValid: block.isValid,
		migrated,
		issues: (block.validationIssues ?? []).map(issueText),
		originalContent: block.originalContent ?? null,
		serialized: blocksApi.serialize([block]),
		innerBlocks: (block.innerBlocks ?? []).map(describe),
	};
}

function validateDocument(markup) {
	return quietly(() => {
		migrations = [];
		const blocks = blocksApi.parse(markup);
		return { editor: editor.editor, blocks: blocks.map(describe), serialized: blocksApi.serialize(blocks) };
	});
}

async function readStdin() {
	const chunks = [];
	for await (const chunk of process.stdin) chunks.push(chunk);
	return Buffer.concat(chunks).toString('utf8');
}

const docs = JSON.parse(await readStdin());
if (!Array.isArray(docs) || docs.some((d) => typeof d !== 'string')) usage('stdin must be a JSON array of markup strings');
// jsdom and the loaded packages keep timers alive: exit once the output is flushed.
process.stdout.write(`${JSON.stringify(docs.map(validateDocument))}\n`, () => process.exit(0));
