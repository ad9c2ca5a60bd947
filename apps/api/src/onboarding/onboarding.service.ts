import { BadRequestException, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parse } from 'csv-parse/sync';
import {
  EndpointEntity,
  EndpointsRepository,
  NewEndpoint,
  NewSubscription,
  SubscriptionEntity,
} from '@caravan/persistence';
import { InvalidFieldsException } from '../common/invalid-fields.exception';
import { describeValidationErrors } from '../common/validation.pipe';
import { CreateEndpointDto } from '../endpoints/dto/create-endpoint.dto';
import { EndpointsService } from '../endpoints/endpoints.service';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';

/** Rows one request may onboard (one transaction holds them all). */
export const MAX_ONBOARD_ITEMS = 1_000;

/** CSV columns, in Convoy's OnboardItem names; the header row names them in any order. */
const CSV_COLUMNS = ['name', 'url', 'event_type', 'auth_username', 'auth_password'];

export interface OnboardRowError {
  /** 1-based: the Nth item (for a CSV, the Nth data row after the header). */
  row: number;
  field: string;
  message: string;
}

export interface DryRunReport {
  total_rows: number;
  valid_count: number;
  errors: OnboardRowError[];
}

export interface OnboardResult {
  total_items: number;
  batch_count: number;
  message: string;
  endpoints: Array<{ uid: string; name: string; url: string; subscription_id: string }>;
}

interface PlannedRow {
  endpoint: NewEndpoint;
  subscriptions: Array<Omit<NewSubscription, 'endpointId'>>;
}

/**
 * Bulk onboarding: endpoints with one subscription each, from JSON items or a CSV file. Each
 * row goes through the very rules of POST /endpoints and POST /subscriptions (their services
 * own them); all rows are then created in one transaction, or none when any row is bad.
 */
@Injectable()
export class OnboardingService {
  constructor(
    private readonly endpointRules: EndpointsService,
    private readonly subscriptionRules: SubscriptionsService,
    private readonly endpoints: EndpointsRepository,
  ) {}

  /** The rows of an uploaded CSV file as items; a file that is not such a CSV is a 400 naming `file`. */
  itemsFromCsv(file: Buffer): Record<string, string>[] {
    let records: Record<string, string>[];
    try {
      records = parse(file, {
        bom: true,
        columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
        skip_empty_lines: true,
        trim: true,
      }) as Record<string, string>[];
    } catch (error) {
      throw InvalidFieldsException.of('file', `not a readable CSV file: ${(error as Error).message}`);
    }
    const columns = records.length > 0 ? Object.keys(records[0]) : [];
    const missing = ['name', 'url'].filter((column) => !columns.includes(column));
    if (records.length > 0 && missing.length > 0) {
      throw InvalidFieldsException.of(
        'file',
        `the header row must name the columns ${CSV_COLUMNS.join(', ')} (missing: ${missing.join(', ')})`,
      );
    }
    return records;
  }

  async dryRun(projectId: string, items: unknown[] | undefined): Promise<DryRunReport> {
    const { errors } = await this.plan(projectId, this.checkedItems(items));
    const badRows = new Set(errors.map((error) => error.row));
    return { total_rows: items?.length ?? 0, valid_count: (items?.length ?? 0) - badRows.size, errors };
  }

  async onboard(projectId: string, items: unknown[] | undefined): Promise<OnboardResult> {
    const checked = this.checkedItems(items);
    const { project, rows, errors } = await this.plan(projectId, checked);
    if (errors.length > 0) {
      throw new BadRequestException({
        status: false,
        message: `nothing was created: ${errors.length} error(s) in ${new Set(errors.map((e) => e.row)).size} row(s); ${errors
          .slice(0, 5)
          .map((e) => `row ${e.row}: ${e.message}`)
          .join('; ')}`,
        errors,
      });
    }
    const created = await this.endpoints.insertWithSubscriptions(projectId, rows);
    for (const { endpoint } of created) await this.endpointRules.announceCreated(project, endpoint);
    return {
      total_items: created.length,
      batch_count: 1,
      message: `${created.length} endpoint(s) and subscription(s) created`,
      endpoints: created.map(({ endpoint, subscriptions }) => present(endpoint, subscriptions)),
    };
  }

  private checkedItems(items: unknown[] | undefined): unknown[] {
    if (items === undefined)
      throw InvalidFieldsException.of('items', 'items is required (or upload a CSV file as "file")');
    if (items.length === 0) throw InvalidFieldsException.of('items', 'items must contain at least one item');
    if (items.length > MAX_ONBOARD_ITEMS) {
      throw InvalidFieldsException.of('items', `at most ${MAX_ONBOARD_ITEMS} items per request (got ${items.length})`);
    }
    return items;
  }

  /** Every row through the endpoint and subscription rules; each problem named by row and field. */
  private async plan(projectId: string, items: unknown[]) {
    const project = await this.endpointRules.project(projectId);
    const rows: PlannedRow[] = [];
    const errors: OnboardRowError[] = [];
    items.forEach((item, index) => {
      const row = index + 1;
      const problems = this.rowProblems(item);
      if (problems.length > 0) {
        errors.push(...problems.map((problem) => ({ row, ...problem })));
        return;
      }
      const fields = item as Record<string, unknown>;
      const input = this.endpointInput(fields);
      const inputErrors = describeValidationErrors(
        validateSync(plainToInstance(CreateEndpointDto, input), { whitelist: true, forbidNonWhitelisted: true }),
      );
      if (inputErrors.length > 0) {
        errors.push(...inputErrors.map((error) => ({ row, ...this.itemField(error) })));
        return;
      }
      try {
        const endpoint = this.endpointRules.draft(project, plainToInstance(CreateEndpointDto, input));
        const eventType = typeof fields['event_type'] === 'string' ? fields['event_type'].trim() : '';
        const filter = this.subscriptionRules.filterOf({ event_types: eventType ? [eventType] : [] });
        rows.push({
          endpoint,
          subscriptions: [{ projectId, name: `${String(fields['name'])} subscription`, ...filter }],
        });
      } catch (error) {
        if (!(error instanceof InvalidFieldsException)) throw error;
        errors.push(...error.fields.map((field) => ({ row, ...this.itemField(field) })));
      }
    });
    return { project, rows, errors };
  }

  /** Shape problems of a row: an object, strings where strings go, both halves of basic auth. */
  private rowProblems(item: unknown): Array<{ field: string; message: string }> {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return [{ field: 'item', message: 'each item must be an object with name and url' }];
    }
    const fields = item as Record<string, unknown>;
    const problems = CSV_COLUMNS.filter(
      (name) => fields[name] !== undefined && fields[name] !== null && typeof fields[name] !== 'string',
    ).map((field) => ({ field, message: `${field} must be a string` }));
    if (typeof fields['event_type'] === 'string' && fields['event_type'].length > 255) {
      problems.push({ field: 'event_type', message: 'event_type must be at most 255 characters' });
    }
    if (Boolean(fields['auth_username']) !== Boolean(fields['auth_password'])) {
      const field = fields['auth_username'] ? 'auth_password' : 'auth_username';
      problems.push({ field, message: `${field} is required when the other basic-auth field is given` });
    }
    return problems;
  }

  /**
   * POST /endpoints' body for a row. Basic auth becomes the endpoint's header authentication
   * (`Authorization: Basic …`), the one kind of endpoint authentication Caravan sends.
   */
  private endpointInput(fields: Record<string, unknown>): Record<string, unknown> {
    const input: Record<string, unknown> = { name: fields['name'], url: fields['url'] };
    if (fields['auth_username']) {
      const credentials = Buffer.from(`${String(fields['auth_username'])}:${String(fields['auth_password'])}`);
      input['authentication'] = {
        type: 'api_key',
        api_key: { header_name: 'Authorization', header_value: `Basic ${credentials.toString('base64')}` },
      };
    }
    return input;
  }

  /** An endpoint rule's field, named as the row calls it. */
  private itemField(error: { field: string; message: string }): { field: string; message: string } {
    if (error.field.startsWith('authentication')) {
      return { field: 'auth_username', message: `auth_username/auth_password: ${error.message}` };
    }
    return { field: error.field.startsWith('event_types') ? 'event_type' : error.field, message: error.message };
  }
}

function present(endpoint: EndpointEntity, subscriptions: SubscriptionEntity[]) {
  return { uid: endpoint.id, name: endpoint.name, url: endpoint.url, subscription_id: subscriptions[0]?.id ?? '' };
}
