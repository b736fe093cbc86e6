import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { readDemoConfig } from './demo-config.js';

const config = readDemoConfig();
const app = await NestFactory.create(AppModule.forConfig(config));
app.enableShutdownHooks();
await app.listen(config.port);
