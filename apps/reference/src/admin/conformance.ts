import express, { type Router } from 'express';
import { z } from 'zod';
import { authenticate, runningConfiguration, userOf, type Idcr, type TokenVerifier } from '@openidcr/architecture';
import { checkConformance, conformanceToMarkdown, loadCatalogue } from '@openidcr/requirements';
import { problem } from '../http-problem.js';

/**
 * `GET /app/admin/conformance`: the requirements catalogue checked against this running app — the locality it was
 * started with and what the assembled server actually provides (`runningConfiguration`), so a check such as explicit
 * consent fails when nothing can record the consents. JSON, or `?format=markdown`. Administrators and privacy officers.
 */
export function conformanceRouter(deps: { idcr: Pick<Idcr, 'locality' | 'provides'>; verifier: TokenVerifier }): Router {
  const router = express.Router();
  const catalogue = loadCatalogue();
  const Query = z.strictObject({ format: z.enum(['json', 'markdown']).default('json') });
  router.get('/app/admin/conformance', authenticate(deps.verifier), (req, res) => {
    const user = userOf(res);
    if (!user || !['administrator', 'privacy-officer'].includes(user.roleId)) return problem(res, 403, 'forbidden', 'role: this needs one of administrator, privacy-officer');
    const query = Query.safeParse(req.query);
    if (!query.success) {
      const first = query.error.issues[0]!;
      return problem(res, 400, 'invalid', `${first.path.join('.') || 'query'}: ${first.message}`, first.path.join('.') || 'query');
    }
    const report = checkConformance(catalogue, runningConfiguration(deps.idcr));
    res.setHeader('Cache-Control', 'no-store');
    if (query.data.format === 'markdown') return res.type('text/markdown').send(conformanceToMarkdown(report, deps.idcr.locality.name));
    res.json({ locality: deps.idcr.locality.name, provides: deps.idcr.provides, ...report });
  });
  return router;
}
