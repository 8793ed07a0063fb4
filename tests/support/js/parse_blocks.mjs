#!/usr/bin/env node
// Parse WordPress block markup with the reference parser (@wordpress/block-serialization-default-parser)
// and print the parsed blocks as JSON.
//
//   node parse_blocks.mjs < post.html            -> [ {blockName, attrs, innerHTML, innerContent, innerBlocks}, ... ]
//   node parse_blocks.mjs --batch < docs.json    -> stdin is a JSON array of markup strings; prints an array of results
//
// Freeform (non-block) content, including the whitespace between top-level blocks, is reported as
// blockName null with attrs {} and that text as innerHTML, exactly as the parser returns it.
// attrs is {} for a block without attributes and null when its attribute JSON does not parse.
import { parse } from '@wordpress/block-serialization-default-parser';

function simplify(block) {
	return {
		blockName: block.blockName,
		attrs: block.attrs, // {} when absent; null when the attribute JSON is unparsable
		innerHTML: block.innerHTML,
		innerContent: block.innerContent,
		innerBlocks: (block.innerBlocks || []).map(simplify),
	};
}

async function readStdin() {
	const chunks = [];
	for await (const chunk of process.stdin) chunks.push(chunk);
	return Buffer.concat(chunks).toString('utf8');
}

const input = await readStdin();
const batch = process.argv.includes('--batch');
const docs = batch ? JSON.parse(input) : [input];
const results = docs.map((doc) => parse(doc).map(simplify));
process.stdout.write(JSON.stringify(batch ? results : results[0]));
process.stdout.write('\n');
