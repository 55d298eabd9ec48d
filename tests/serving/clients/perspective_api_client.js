// Drives the npm package perspective-api-client (3.1.0) against a `moderation serve` at
// BASE (argv[2]) with key KEY (argv[3]) and prints one JSON line per call: what the client
// resolved with, or the error it rejected with. The client posts to Google's fixed URL
// through the shared axios instance; an axios request interceptor (the hook axios gives every
// user of its default instance) sends it to BASE instead.
'use strict';
const path = require('path');
const Perspective = require('perspective-api-client');
const axios = require(require.resolve('axios', {
  paths: [path.dirname(require.resolve('perspective-api-client'))],
}));

const [base, key] = process.argv.slice(2);
axios.interceptors.request.use(config => {
  config.url = config.url.replace('https://commentanalyzer.googleapis.com', base);
  return config;
});

const client = new Perspective({apiKey: key});
const calls = {
  default: ['You are a spineless clown.'],
  attributes: ['I will find you and break your legs.', {
    attributes: ['toxicity', 'severe_toxicity', 'insult', 'threat', 'abusive', 'conspiracy',
      'civil'],
  }],
  scoreThreshold: ['The new library is lovely.', {
    attributes: {TOXICITY: {scoreThreshold: 0.99}, CIVIL: {}},
  }],
  doNotStore: ['<b>Nice</b> walk by the river.', {doNotStore: false}],
  spans: [{
    comment: {text: 'Lovely evening by the river. You are a spineless clown.'},
    languages: ['en'],
    spanAnnotations: true,
  }, {attributes: ['TOXICITY']}],
  context: [{
    comment: {text: 'Same to you, and worse.'},
    context: {entries: [{text: 'You are a spineless clown.'}]},
    clientToken: 'comment:77',
  }],
  unsupported: ['Hello there.', {attributes: ['SEXUALLY_EXPLICIT', 'TOXICITY']}],
};

(async () => {
  for (const [name, args] of Object.entries(calls)) {
    try {
      const data = await client.analyze(...args);
      console.log(JSON.stringify({name, ok: true, data}));
    } catch (error) {
      const status = error.response ? error.response.status : null;
      console.log(JSON.stringify({name, ok: false, error: error.name, message: error.message,
        status}));
    }
  }
})();
