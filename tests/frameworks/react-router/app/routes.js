import { index, route } from '@react-router/dev/routes';

export default [
  index('routes/home.jsx'),
  route('api/score', 'routes/api.score.js'),
  route('api/lead', 'routes/api.lead.js'),
];
