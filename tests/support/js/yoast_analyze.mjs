#!/usr/bin/env node
// Run Yoast SEO's own content analysis (npm `yoastseo`, version pinned in package.json) the way the
// free WordPress plugin runs it for a post, and print the results as JSON.
//
//   node yoast_analyze.mjs < post.json     -> stdin: one object, prints one result object
//   node yoast_analyze.mjs < posts.json    -> stdin: an array of objects, prints an array of results
//
// Input object:
//   content      post content as WordPress stores it (block markup, without the H1 block -- the H1 is
//                the post title, which Yoast does not analyse as content)
//   title        the SEO title (after WordPress/Yoast variable replacement)
//   description  the meta description
//   keyword      the focus keyphrase
//   slug         the post slug
//   permalink    optional; the post URL (tells internal from external links and spots links to itself)
//   titleWidth   optional; the SEO title's width in px. The plugin measures it in the browser (Arial
//                20px, offsetWidth); node has no DOM, so the caller supplies it. Without it the
//                titleWidth assessment is left out of the SEO results and score (see "skipped").
//   date         optional; the date the snippet preview shows. The plugin passes the post date
//                ('M j, Y', translated) for posts, and yoastseo adds its length + 3 to the meta
//                description length (countMetaDescriptionLength.js). Default "" (not counted).
//   locale       "de_DE" (default)
//   textTitle    optional; the post title (H1). Yoast's free assessments do not read it.
//   previouslyUsed  optional; how many other posts already use the keyphrase (default 0). The plugin
//                adds this "usedKeywords" assessment from server data.
//
// Output object: { yoastseo, locale, seo: {score, rating, assessments, silent}, readability: {...},
// skipped, research } where each assessment is {identifier, score, rating, text} and rating is Yoast's
// scoreToRating ("error" -1, "feedback" 0, "bad" <= 4, "ok" 5..7, "good" > 7); overall ratings use
// score / 10 like the plugin's getIndicatorForScore. `research` holds the measurements behind the
// assessments (see RESEARCH below).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const yoastVersion = require('yoastseo/package.json').version;
const { Paper, SeoAssessor, ContentAssessor } = require('yoastseo');
const GermanResearcher = require('yoastseo/build/languageProcessing/languages/de/Researcher.js').default;
const PreviouslyUsedKeyword = require('yoastseo/build/bundledPlugins/previouslyUsedKeywords.js').default;
const scoreToRating = require('yoastseo/build/scoring/interpreters/scoreToRating.js').default;

const RESEARCHERS = { de: GermanResearcher };

function stripHtml(text) {
	return String(text || '')
		.replace(/<[^>]*>/g, '')
		.replace(/&nbsp;/g, ' ')
		.replace(/&amp;/g, '&')
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&#0?39;/g, "'")
		.replace(/\s+/g, ' ')
		.trim();
}

function serialize(result) {
	const score = result.getScore();
	return {
		identifier: result.getIdentifier(),
		score,
		rating: scoreToRating(score),
		text: stripHtml(result.getText()),
	};
}

// The plugin registers "usedKeywords" on the SEO assessor through the worker; with a fresh site the
// keyphrase has not been used before (score 9).
function usedKeywordsAssessment(keyword, previouslyUsed) {
	const fakeApp = { registerAssessment() {} };
	const ids = Array.from({ length: previouslyUsed }, (_, i) => i + 1);
	const plugin = new PreviouslyUsedKeyword(fakeApp, {
		usedKeywords: ids.length ? { [keyword]: ids } : {},
		usedKeywordsPostTypes: {},
		searchUrl: '',
		postUrl: '',
	});
	return { identifier: 'usedKeywords', getResult: (paper) => plugin.assess(paper) };
}

function runAssessor(assessor, paper, locale) {
	assessor.assess(paper);
	const aggregator = assessor.getScoreAggregator();
	if (typeof aggregator.setLocale === 'function') aggregator.setLocale(locale);
	// The plugin shows only results with a score and a text. The score is the aggregator's over all
	// results, as AnalysisWebWorker.assess computes it: the SEO aggregator divides by 9 x every
	// result, so a silent one (functionWordsInKeyphrase when the keyphrase is fine: score 0, no
	// text) still lowers the score. Those are listed in `silent`.
	const results = assessor.results;
	const score = aggregator.aggregate(results);
	const shown = (r) => r.hasScore() && r.hasText();
	return {
		score,
		rating: scoreToRating(score / 10),
		assessments: results.filter(shown).map(serialize),
		silent: results.filter((r) => !shown(r)).map((r) => r.getIdentifier()),
	};
}

const sentenceText = (sentence) => (typeof sentence === 'string' ? sentence : sentence.text).trim();

// The researches behind the assessments, reduced to plain values, so tests can compare genpost's own
// measurements with Yoast's (the research names are yoastseo's).
const RESEARCH = {
	wordCount: (r) => r.getResearch('wordCountInText').count,
	keyphraseForms: (r) => r.getResearch('morphology').keyphraseForms,
	keyphraseLength: (r) => r.getResearch('keyphraseLength').keyphraseLength,
	keyphraseCount: (r) => r.getResearch('getKeyphraseCount').count,
	keyphraseDensity: (r) => r.getResearch('getKeyphraseDensity'),
	introduction: (r) => {
		const { foundInOneSentence, foundInParagraph } = r.getResearch('findKeywordInFirstParagraph');
		return { foundInOneSentence, foundInParagraph };
	},
	subheadingsKeyword: (r) => {
		const { count, matches, percentReflectingTopic } = r.getResearch('matchKeywordInSubheadings');
		return { count, matches, percentReflectingTopic };
	},
	seoTitleKeyword: (r) => r.getResearch('findKeyphraseInSEOTitle'),
	metaDescriptionLength: (r) => r.getResearch('metaDescriptionLength'),
	metaDescriptionKeyword: (r) => r.getResearch('metaDescriptionKeyword'),
	slugKeyword: (r) => r.getResearch('keywordCountInSlug'),
	competingLinks: (r) => r.getResearch('getAnchorsWithKeyphrase').anchorsWithKeyphraseCount,
	links: (r) => r.getResearch('getLinkStatistics'),
	h1s: (r) => r.getResearch('h1s').length,
	images: (r) => r.getResearch('imageCount'),
	altTags: (r) => r.getResearch('altTagCount'),
	sentences: (r) => r.getResearch('countSentencesFromText').map((s) => ({ text: sentenceText(s.sentence), words: s.sentenceLength })),
	paragraphs: (r) => r.getResearch('getParagraphLength').map((p) => p.paragraphLength),
	subheadingSections: (r) => r.getResearch('getSubheadingTextLengths').map((s) => ({ subheading: stripHtml(s.subheading), words: s.countLength })),
	transitionWords: (r) => {
		const t = r.getResearch('findTransitionWords');
		return {
			totalSentences: t.totalSentences,
			transitionWordSentences: t.transitionWordSentences,
			sentences: t.sentenceResults.map((s) => ({ text: sentenceText(s.sentence), words: s.transitionWords })),
		};
	},
	passiveVoice: (r) => {
		const p = r.getResearch('getPassiveVoiceResult');
		return { total: p.total, passives: p.passives.map(sentenceText) };
	},
	sentenceBeginnings: (r) => r.getResearch('getSentenceBeginnings').map((b) => ({ word: b.word, count: b.count })),
};

function measurements(researcher) {
	const out = {};
	for (const [name, research] of Object.entries(RESEARCH)) {
		try {
			out[name] = research(researcher);
		} catch (error) {
			out[name] = { error: String(error && error.message ? error.message : error) };
		}
	}
	return out;
}

function analyze(input) {
	const locale = input.locale || 'de_DE';
	const language = locale.split('_')[0];
	const Researcher = RESEARCHERS[language];
	if (!Researcher) throw new Error(`no researcher wired up for locale ${locale}`);
	const hasWidth = typeof input.titleWidth === 'number' && Number.isFinite(input.titleWidth);
	const paper = new Paper(input.content || '', {
		keyword: input.keyword || '',
		synonyms: '',
		description: input.description || '',
		title: input.title || '',
		titleWidth: hasWidth ? input.titleWidth : 0,
		slug: input.slug || '',
		permalink: input.permalink || '',
		textTitle: input.textTitle || '',
		date: input.date || '',
		locale,
	});
	const researcher = new Researcher(paper);

	const seoAssessor = new SeoAssessor(researcher);
	const skipped = [];
	if (!hasWidth) {
		seoAssessor.removeAssessment('titleWidth');
		skipped.push('titleWidth');
	}
	seoAssessor.addAssessment('usedKeywords', usedKeywordsAssessment(paper.getKeyword(), input.previouslyUsed || 0));
	const seo = runAssessor(seoAssessor, paper, locale);

	const readability = runAssessor(new ContentAssessor(researcher), paper, locale);
	return { yoastseo: yoastVersion, locale, seo, readability, skipped, research: measurements(researcher) };
}

async function readStdin() {
	const chunks = [];
	for await (const chunk of process.stdin) chunks.push(chunk);
	return Buffer.concat(chunks).toString('utf8');
}

const parsed = JSON.parse(await readStdin());
const output = Array.isArray(parsed) ? parsed.map(analyze) : analyze(parsed);
process.stdout.write(JSON.stringify(output));
process.stdout.write('\n');
