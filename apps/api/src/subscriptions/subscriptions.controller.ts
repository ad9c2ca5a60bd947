import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ProjectAccessGuard } from '../common/auth/project-access.guard';
import { ProjectId } from '../common/auth/project-id.decorator';
import { envelope } from '../common/envelope';
import { repeated } from '../common/list-filters';
import { CreateSubscriptionDto } from './dto/create-subscription.dto';
import { ListSubscriptionsQueryDto } from './dto/list-subscriptions-query.dto';
import { TestFilterDto } from './dto/test-filter.dto';
import { TestFunctionDto } from '../functions/dto/test-function.dto';
import { FunctionResponse } from '../functions/function-response';
import { FunctionTester } from '../functions/function-tester.service';
import { ApiEnvelope } from '../common/api-envelope.decorator';
import { UpdateSubscriptionDto } from './dto/update-subscription.dto';
import { presentSubscription } from './subscription.presenter';
import { SubscriptionsService, SubscriptionView } from './subscriptions.service';

const present = ({ subscription, endpoint }: SubscriptionView) => presentSubscription(subscription, endpoint);

@ApiTags('subscriptions')
@ApiBearerAuth()
@UseGuards(ProjectAccessGuard)
@Controller('api/v1/projects/:projectID/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly functions: FunctionTester,
  ) {}

  @Post()
  async create(@ProjectId() projectId: string, @Body() body: CreateSubscriptionDto) {
    return envelope('Subscription created successfully', present(await this.subscriptions.create(projectId, body)));
  }

  /** Convoy answers 200 here: nothing is created. */
  @Post('test_filter')
  @HttpCode(200)
  testFilter(@Body() body: TestFilterDto) {
    return envelope('Subscriptions filter validated successfully', this.subscriptions.testFilter(body));
  }

  /** Runs a subscription function against a sample payload; Convoy answers 200. */
  @Post('test_function')
  @HttpCode(200)
  @ApiEnvelope(200, FunctionResponse)
  async testFunction(@Body() body: TestFunctionDto) {
    return envelope('Subscription function tested successfully', await this.functions.run('function', body));
  }

  @Get()
  async list(@ProjectId() projectId: string, @Query() query: ListSubscriptionsQueryDto) {
    const { endpointId, 'endpointId[]': bracketed, name, ...page } = query;
    const filter = { endpointIds: repeated(endpointId, bracketed), name };
    const { content, pagination } = await this.subscriptions.list(projectId, filter, page);
    return envelope('Subscriptions fetched successfully', { content: content.map(present), pagination });
  }

  @Get(':subscriptionID')
  async get(@ProjectId() projectId: string, @Param('subscriptionID') id: string) {
    return envelope('Subscription fetched successfully', present(await this.subscriptions.get(projectId, id)));
  }

  @Put(':subscriptionID')
  @HttpCode(202)
  async update(
    @ProjectId() projectId: string,
    @Param('subscriptionID') id: string,
    @Body() body: UpdateSubscriptionDto,
  ) {
    return envelope('Subscription updated successfully', present(await this.subscriptions.update(projectId, id, body)));
  }

  @Delete(':subscriptionID')
  async remove(@ProjectId() projectId: string, @Param('subscriptionID') id: string) {
    await this.subscriptions.remove(projectId, id);
    return envelope('Subscription deleted successfully', null);
  }
}
