import { Command, CommandRunner, Option } from 'nest-commander';
import { AuthService } from '../auth/auth.service';
import { ROLES, type Role } from '../domain/roles';
import { SYSTEM_ACTOR } from '../audit/audit.service';

interface Options {
  email: string;
  name: string;
  role: Role;
}

@Command({
  name: 'users:create',
  description: 'Create a user and print a new API token (alone on the last line of standard output)',
})
export class UsersCreateCommand extends CommandRunner {
  constructor(private readonly auth: AuthService) {
    super();
  }

  async run(_: string[], o: Options): Promise<void> {
    if (!o.email || !o.name || !o.role) throw new Error('users:create needs --email, --name and --role');
    const actor = { ...SYSTEM_ACTOR, email: 'cli' };
    const user = await this.auth.createUser(actor, { email: o.email, name: o.name, role: o.role });
    const { token } = await this.auth.createToken(actor, user.id, 'cli');
    process.stdout.write(
      `created ${user.role} ${user.email} (id ${user.id}); the token is shown only once:\n${token}\n`,
    );
  }

  @Option({ flags: '--email <email>', description: 'email address (account managers: the one in the registry)' })
  parseEmail(v: string): string {
    if (!/^[^\s@]+@[^\s@]+$/.test(v)) throw new Error(`--email: "${v}" is not an email address`);
    return v;
  }

  @Option({ flags: '--name <name>', description: 'display name' })
  parseName(v: string): string {
    return v;
  }

  @Option({ flags: '--role <role>', description: `one of ${ROLES.join(', ')}` })
  parseRole(v: string): Role {
    if (!(ROLES as readonly string[]).includes(v))
      throw new Error(`--role must be one of ${ROLES.join(', ')} (got "${v}")`);
    return v as Role;
  }
}
