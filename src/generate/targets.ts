import type { Target } from './context.ts';
import { djangoTarget } from './django.ts';
import { djangoPoolTarget } from './django-pool.ts';
import { goTarget } from './go.ts';
import { hikaricpTarget } from './hikaricp.ts';
import { knexTarget } from './knex.ts';
import { mariadbTarget } from './mariadb.ts';
import { mysql2Target } from './mysql2.ts';
import { prismaTarget } from './prisma.ts';
import { railsTarget } from './rails.ts';
import { sequelizeTarget } from './sequelize.ts';
import { sqlalchemyTarget } from './sqlalchemy.ts';
import { typeormTarget } from './typeorm.ts';

export const TARGETS: readonly Target[] = [
  djangoTarget,
  djangoPoolTarget,
  sqlalchemyTarget,
  mysql2Target,
  mariadbTarget,
  knexTarget,
  sequelizeTarget,
  typeormTarget,
  prismaTarget,
  goTarget,
  hikaricpTarget,
  railsTarget,
];

export const TARGET_NAMES: readonly string[] = TARGETS.map((target) => target.name);

export function findTarget(name: string): Target | undefined {
  return TARGETS.find((target) => target.name === name.toLowerCase());
}
