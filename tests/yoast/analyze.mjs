// Runs yoastseo 3.6.0 (free version, French researcher) on a JSON list of articles read on stdin
// and prints, as JSON, each article's per-assessment scores and ratings and the two overall scores,
// aggregated the way the plugin's web worker does (SEOScoreAggregator, ReadabilityScoreAggregator).
//
// Input item fields: body_html, keyphrase, title, seo_title, meta_description, slug,
// locale (default fr_FR), site_url (optional), title_width (px; the plugin measures the rendered
// snippet title in the browser, which Node cannot do, so the caller supplies it).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Paper, SeoAssessor, ContentAssessor, interpreters } = require("yoastseo");
const FrenchResearcher = require("yoastseo/build/languageProcessing/languages/fr/Researcher").default;

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (chunk) => chunks.push(chunk));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function runAssessor(AssessorClass, paper, locale) {
  const researcher = new FrenchResearcher(paper);
  const assessor = new AssessorClass(researcher);
  assessor.getScoreAggregator().setLocale(locale);
  assessor.assess(paper);
  const assessments = {};
  for (const result of assessor.results) {
    const score = result.getScore();
    assessments[result.getIdentifier()] = {
      score,
      rating: interpreters.scoreToRating(score),
      text: result.getText(),
    };
  }
  return { score: assessor.getScoreAggregator().aggregate(assessor.results), assessments };
}

function analyze(article) {
  const locale = article.locale || "fr_FR";
  const siteUrl = (article.site_url || "").replace(/\/$/, "");
  const paper = new Paper(article.body_html || "", {
    keyword: article.keyphrase || "",
    description: article.meta_description || "",
    title: article.seo_title || "",
    titleWidth: article.title_width || 0,
    textTitle: article.title || "",
    slug: article.slug || "",
    permalink: siteUrl ? `${siteUrl}/${article.slug || ""}/` : "",
    locale,
  });
  const seo = runAssessor(SeoAssessor, paper, locale);
  const readability = runAssessor(ContentAssessor, paper, locale);
  return {
    name: article.name || null,
    seo_score: seo.score,
    readability_score: readability.score,
    seo: seo.assessments,
    readability: readability.assessments,
  };
}

const articles = JSON.parse(await readStdin());
process.stdout.write(JSON.stringify(articles.map(analyze), null, 1) + "\n");
